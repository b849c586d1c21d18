package xcp

import "fmt"

// Command is the first byte (the PID) of a master→slave command packet.
type Command uint8

// Standard commands (XCP 1.5 part 2, 1.6).
const (
	CmdConnect           Command = 0xFF
	CmdDisconnect        Command = 0xFE
	CmdGetStatus         Command = 0xFD
	CmdSynch             Command = 0xFC
	CmdGetCommModeInfo   Command = 0xFB
	CmdGetID             Command = 0xFA
	CmdSetRequest        Command = 0xF9
	CmdGetSeed           Command = 0xF8
	CmdUnlock            Command = 0xF7
	CmdSetMTA            Command = 0xF6
	CmdUpload            Command = 0xF5
	CmdShortUpload       Command = 0xF4
	CmdBuildChecksum     Command = 0xF3
	CmdTransportLayerCmd Command = 0xF2
	CmdUserCmd           Command = 0xF1
)

// Calibration commands.
const (
	CmdDownload      Command = 0xF0
	CmdDownloadNext  Command = 0xEF
	CmdDownloadMax   Command = 0xEE
	CmdShortDownload Command = 0xED
	CmdModifyBits    Command = 0xEC
)

// Page switching commands.
const (
	CmdSetCalPage          Command = 0xEB
	CmdGetCalPage          Command = 0xEA
	CmdGetPagProcessorInfo Command = 0xE9
	CmdGetSegmentInfo      Command = 0xE8
	CmdGetPageInfo         Command = 0xE7
	CmdSetSegmentMode      Command = 0xE6
	CmdGetSegmentMode      Command = 0xE5
	CmdCopyCalPage         Command = 0xE4
)

// Data acquisition and stimulation commands.
const (
	CmdClearDaqList         Command = 0xE3
	CmdSetDaqPtr            Command = 0xE2
	CmdWriteDaq             Command = 0xE1
	CmdSetDaqListMode       Command = 0xE0
	CmdGetDaqListMode       Command = 0xDF
	CmdStartStopDaqList     Command = 0xDE
	CmdStartStopSynch       Command = 0xDD
	CmdGetDaqClock          Command = 0xDC
	CmdReadDaq              Command = 0xDB
	CmdGetDaqProcessorInfo  Command = 0xDA
	CmdGetDaqResolutionInfo Command = 0xD9
	CmdGetDaqListInfo       Command = 0xD8
	CmdGetDaqEventInfo      Command = 0xD7
	CmdFreeDaq              Command = 0xD6
	CmdAllocDaq             Command = 0xD5
	CmdAllocOdt             Command = 0xD4
	CmdAllocOdtEntry        Command = 0xD3
	CmdWriteDaqMultiple     Command = 0xC7
	CmdTimeCorrelationProps Command = 0xC6
	CmdDtoCtrProperties     Command = 0xC5
)

// Non-volatile memory programming commands.
const (
	CmdProgramStart        Command = 0xD2
	CmdProgramClear        Command = 0xD1
	CmdProgram             Command = 0xD0
	CmdProgramReset        Command = 0xCF
	CmdGetPgmProcessorInfo Command = 0xCE
	CmdGetSectorInfo       Command = 0xCD
	CmdProgramPrepare      Command = 0xCC
	CmdProgramFormat       Command = 0xCB
	CmdProgramNext         Command = 0xCA
	CmdProgramMax          Command = 0xC9
	CmdProgramVerify       Command = 0xC8
)

// CmdLevel1 opens the level-1 command space: the second byte is a Level1
// sub-command code.
const CmdLevel1 Command = 0xC0

// Level1 is the sub-command byte following CmdLevel1.
type Level1 uint8

// Level-1 sub-commands.
const (
	L1GetVersion       Level1 = 0x00
	L1SetDaqPackedMode Level1 = 0x01
	L1GetDaqPackedMode Level1 = 0x02
	L1SwDbg            Level1 = 0xFC // SW-DBG command space, see goxcp/xcp/swdbg
	L1Pod              Level1 = 0xFD // POD command space
)

var commandNames = map[Command]string{
	CmdConnect: "CONNECT", CmdDisconnect: "DISCONNECT", CmdGetStatus: "GET_STATUS",
	CmdSynch: "SYNCH", CmdGetCommModeInfo: "GET_COMM_MODE_INFO", CmdGetID: "GET_ID",
	CmdSetRequest: "SET_REQUEST", CmdGetSeed: "GET_SEED", CmdUnlock: "UNLOCK",
	CmdSetMTA: "SET_MTA", CmdUpload: "UPLOAD", CmdShortUpload: "SHORT_UPLOAD",
	CmdBuildChecksum: "BUILD_CHECKSUM", CmdTransportLayerCmd: "TRANSPORT_LAYER_CMD",
	CmdUserCmd: "USER_CMD", CmdDownload: "DOWNLOAD", CmdDownloadNext: "DOWNLOAD_NEXT",
	CmdDownloadMax: "DOWNLOAD_MAX", CmdShortDownload: "SHORT_DOWNLOAD", CmdModifyBits: "MODIFY_BITS",
	CmdSetCalPage: "SET_CAL_PAGE", CmdGetCalPage: "GET_CAL_PAGE",
	CmdGetPagProcessorInfo: "GET_PAG_PROCESSOR_INFO", CmdGetSegmentInfo: "GET_SEGMENT_INFO",
	CmdGetPageInfo: "GET_PAGE_INFO", CmdSetSegmentMode: "SET_SEGMENT_MODE",
	CmdGetSegmentMode: "GET_SEGMENT_MODE", CmdCopyCalPage: "COPY_CAL_PAGE",
	CmdClearDaqList: "CLEAR_DAQ_LIST", CmdSetDaqPtr: "SET_DAQ_PTR", CmdWriteDaq: "WRITE_DAQ",
	CmdSetDaqListMode: "SET_DAQ_LIST_MODE", CmdGetDaqListMode: "GET_DAQ_LIST_MODE",
	CmdStartStopDaqList: "START_STOP_DAQ_LIST", CmdStartStopSynch: "START_STOP_SYNCH",
	CmdGetDaqClock: "GET_DAQ_CLOCK", CmdReadDaq: "READ_DAQ",
	CmdGetDaqProcessorInfo: "GET_DAQ_PROCESSOR_INFO", CmdGetDaqResolutionInfo: "GET_DAQ_RESOLUTION_INFO",
	CmdGetDaqListInfo: "GET_DAQ_LIST_INFO", CmdGetDaqEventInfo: "GET_DAQ_EVENT_INFO",
	CmdFreeDaq: "FREE_DAQ", CmdAllocDaq: "ALLOC_DAQ", CmdAllocOdt: "ALLOC_ODT",
	CmdAllocOdtEntry: "ALLOC_ODT_ENTRY", CmdWriteDaqMultiple: "WRITE_DAQ_MULTIPLE",
	CmdTimeCorrelationProps: "TIME_CORRELATION_PROPERTIES", CmdDtoCtrProperties: "DTO_CTR_PROPERTIES",
	CmdProgramStart: "PROGRAM_START", CmdProgramClear: "PROGRAM_CLEAR", CmdProgram: "PROGRAM",
	CmdProgramReset: "PROGRAM_RESET", CmdGetPgmProcessorInfo: "GET_PGM_PROCESSOR_INFO",
	CmdGetSectorInfo: "GET_SECTOR_INFO", CmdProgramPrepare: "PROGRAM_PREPARE",
	CmdProgramFormat: "PROGRAM_FORMAT", CmdProgramNext: "PROGRAM_NEXT", CmdProgramMax: "PROGRAM_MAX",
	CmdProgramVerify: "PROGRAM_VERIFY", CmdLevel1: "LEVEL_1_COMMAND",
}

// String returns the ASAM name of the command, e.g. "SET_MTA".
func (c Command) String() string {
	if s, ok := commandNames[c]; ok {
		return s
	}
	return fmt.Sprintf("Command(0x%02X)", uint8(c))
}

// Known reports whether c is a command code defined by XCP 1.5.
func (c Command) Known() bool { _, ok := commandNames[c]; return ok }

var level1Names = map[Level1]string{
	L1GetVersion: "GET_VERSION", L1SetDaqPackedMode: "SET_DAQ_PACKED_MODE",
	L1GetDaqPackedMode: "GET_DAQ_PACKED_MODE", L1SwDbg: "SW_DBG", L1Pod: "POD",
}

// String returns the ASAM name of the level-1 sub-command.
func (c Level1) String() string {
	if s, ok := level1Names[c]; ok {
		return s
	}
	return fmt.Sprintf("Level1(0x%02X)", uint8(c))
}
