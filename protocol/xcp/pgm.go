package xcp

// Non-volatile memory programming commands (PGM group). PROGRAM,
// PROGRAM_NEXT and PROGRAM_MAX share the block layout of the DOWNLOAD
// commands; their packet sizes follow MAX_CTO_PGM from PROGRAM_START, so
// pass a Format whose MaxCTO is that value (see ProgramStartResponse.Format).

// ProgramStart is the PROGRAM_START command.
type ProgramStart struct{}

// Append encodes the command.
func (ProgramStart) Append(b []byte, _ Format) []byte { return appendCmd(b, CmdProgramStart) }

// Decode decodes the command.
func (*ProgramStart) Decode(p []byte, _ Format) error {
	return checkPacket("PROGRAM_START", p, byte(CmdProgramStart), 1)
}

// ProgramStartResponse is the response to PROGRAM_START.
type ProgramStartResponse struct {
	CommModePgm  uint8 // CommModeMasterBlockMode, CommModeInterleaved, CommModeSlaveBlockMode
	MaxCTOPgm    uint8
	MaxBSPgm     uint8
	MinSTPgm     uint8 // units of 100 µs
	QueueSizePgm uint8
}

// Format returns f with MaxCTO replaced by MAX_CTO_PGM (if announced).
func (r ProgramStartResponse) Format(f Format) Format {
	if r.MaxCTOPgm >= 8 {
		f.MaxCTO = int(r.MaxCTOPgm)
	}
	return f
}

// Append encodes the response.
func (r ProgramStartResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, 0, r.CommModePgm, r.MaxCTOPgm, r.MaxBSPgm, r.MinSTPgm, r.QueueSizePgm)
}

// Decode decodes the response.
func (r *ProgramStartResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("PROGRAM_START response", p, PIDRes, 7); err != nil {
		return err
	}
	r.CommModePgm, r.MaxCTOPgm, r.MaxBSPgm, r.MinSTPgm, r.QueueSizePgm = p[2], p[3], p[4], p[5], p[6]
	return nil
}

// PROGRAM_CLEAR modes.
const (
	ClearAbsolute   uint8 = 0x00 // Range is a number of elements from the MTA
	ClearFunctional uint8 = 0x01 // Range is a bit mask of functional areas
)

// ProgramClear is the PROGRAM_CLEAR command.
type ProgramClear struct {
	Mode  uint8
	Range uint32
}

// Append encodes the command.
func (c ProgramClear) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint32(append(b, byte(CmdProgramClear), c.Mode, 0, 0), c.Range)
}

// Decode decodes the command.
func (c *ProgramClear) Decode(p []byte, f Format) error {
	if err := checkPacket("PROGRAM_CLEAR", p, byte(CmdProgramClear), 8); err != nil {
		return err
	}
	c.Mode, c.Range = p[1], f.Order.Uint32(p[4:])
	return nil
}

// Program is the PROGRAM command: like Download, with N the number of
// elements of the whole block transfer; N 0 ends the programming sequence.
type Program struct {
	N    uint8
	Data []byte
}

// Append encodes the command.
func (c Program) Append(b []byte, f Format) []byte { return appendBlock(b, CmdProgram, c.N, c.Data, f) }

// Decode decodes the command; Data aliases p.
func (c *Program) Decode(p []byte, f Format) (err error) {
	c.N, c.Data, err = decodeBlock("PROGRAM", p, CmdProgram, f)
	return err
}

// Validate checks the command against the format.
func (c Program) Validate(f Format) error { return validateBlock("PROGRAM", c.N, c.Data, f, true) }

// ProgramReset is the PROGRAM_RESET command.
type ProgramReset struct{}

// Append encodes the command.
func (ProgramReset) Append(b []byte, _ Format) []byte { return appendCmd(b, CmdProgramReset) }

// Decode decodes the command.
func (*ProgramReset) Decode(p []byte, _ Format) error {
	return checkPacket("PROGRAM_RESET", p, byte(CmdProgramReset), 1)
}

// GetPgmProcessorInfo is the GET_PGM_PROCESSOR_INFO command.
type GetPgmProcessorInfo struct{}

// Append encodes the command.
func (GetPgmProcessorInfo) Append(b []byte, _ Format) []byte {
	return appendCmd(b, CmdGetPgmProcessorInfo)
}

// Decode decodes the command.
func (*GetPgmProcessorInfo) Decode(p []byte, _ Format) error {
	return checkPacket("GET_PGM_PROCESSOR_INFO", p, byte(CmdGetPgmProcessorInfo), 1)
}

// GetPgmProcessorInfoResponse is the response to GET_PGM_PROCESSOR_INFO.
type GetPgmProcessorInfoResponse struct {
	Properties uint8 // PGM_PROPERTIES (access methods, compression, encryption, non-sequential)
	MaxSector  uint8
}

// Append encodes the response.
func (r GetPgmProcessorInfoResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, r.Properties, r.MaxSector)
}

// Decode decodes the response.
func (r *GetPgmProcessorInfoResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_PGM_PROCESSOR_INFO response", p, PIDRes, 3); err != nil {
		return err
	}
	r.Properties, r.MaxSector = p[1], p[2]
	return nil
}

// GET_SECTOR_INFO modes.
const (
	SectorInfoStart      uint8 = 0 // start address: GetSectorInfoResponse
	SectorInfoLength     uint8 = 1 // length: GetSectorInfoResponse
	SectorInfoNameLength uint8 = 2 // name length: GetSectorNameLengthResponse
)

// GetSectorInfo is the GET_SECTOR_INFO command.
type GetSectorInfo struct {
	Mode   uint8
	Sector uint8
}

// Append encodes the command.
func (c GetSectorInfo) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdGetSectorInfo), c.Mode, c.Sector)
}

// Decode decodes the command.
func (c *GetSectorInfo) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SECTOR_INFO", p, byte(CmdGetSectorInfo), 3); err != nil {
		return err
	}
	c.Mode, c.Sector = p[1], p[2]
	return nil
}

// GetSectorInfoResponse is the response to GET_SECTOR_INFO in modes 0 and 1.
type GetSectorInfoResponse struct {
	ClearSequence   uint8
	ProgramSequence uint8
	Method          uint8
	Info            uint32 // start address (mode 0) or length (mode 1)
}

// Append encodes the response.
func (r GetSectorInfoResponse) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint32(append(b, PIDRes, r.ClearSequence, r.ProgramSequence, r.Method), r.Info)
}

// Decode decodes the response.
func (r *GetSectorInfoResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_SECTOR_INFO response", p, PIDRes, 8); err != nil {
		return err
	}
	r.ClearSequence, r.ProgramSequence, r.Method = p[1], p[2], p[3]
	r.Info = f.Order.Uint32(p[4:])
	return nil
}

// GetSectorNameLengthResponse is the response to GET_SECTOR_INFO mode 2;
// the name itself is then read with UPLOAD from the MTA.
type GetSectorNameLengthResponse struct {
	NameLength uint8
}

// Append encodes the response.
func (r GetSectorNameLengthResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, r.NameLength)
}

// Decode decodes the response.
func (r *GetSectorNameLengthResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SECTOR_INFO name length response", p, PIDRes, 2); err != nil {
		return err
	}
	r.NameLength = p[1]
	return nil
}

// ProgramPrepare is the PROGRAM_PREPARE command: CodeSize elements of
// flash routine follow at the MTA.
type ProgramPrepare struct {
	CodeSize uint16
}

// Append encodes the command.
func (c ProgramPrepare) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdProgramPrepare), 0), c.CodeSize)
}

// Decode decodes the command.
func (c *ProgramPrepare) Decode(p []byte, f Format) error {
	if err := checkPacket("PROGRAM_PREPARE", p, byte(CmdProgramPrepare), 4); err != nil {
		return err
	}
	c.CodeSize = f.Order.Uint16(p[2:])
	return nil
}

// ProgramFormat is the PROGRAM_FORMAT command.
type ProgramFormat struct {
	Compression, Encryption uint8
	Programming, Access     uint8
}

// Append encodes the command.
func (c ProgramFormat) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdProgramFormat), c.Compression, c.Encryption, c.Programming, c.Access)
}

// Decode decodes the command.
func (c *ProgramFormat) Decode(p []byte, _ Format) error {
	if err := checkPacket("PROGRAM_FORMAT", p, byte(CmdProgramFormat), 5); err != nil {
		return err
	}
	c.Compression, c.Encryption, c.Programming, c.Access = p[1], p[2], p[3], p[4]
	return nil
}

// ProgramNext is the PROGRAM_NEXT command of master block mode.
type ProgramNext struct {
	N    uint8
	Data []byte
}

// Append encodes the command.
func (c ProgramNext) Append(b []byte, f Format) []byte {
	return appendBlock(b, CmdProgramNext, c.N, c.Data, f)
}

// Decode decodes the command; Data aliases p.
func (c *ProgramNext) Decode(p []byte, f Format) (err error) {
	c.N, c.Data, err = decodeBlock("PROGRAM_NEXT", p, CmdProgramNext, f)
	return err
}

// Validate checks the command against the format.
func (c ProgramNext) Validate(f Format) error {
	return validateBlock("PROGRAM_NEXT", c.N, c.Data, f, false)
}

// ProgramMax is the PROGRAM_MAX command: one full packet of data.
type ProgramMax struct {
	Data []byte
}

// Append encodes the command.
func (c ProgramMax) Append(b []byte, f Format) []byte { return appendMax(b, CmdProgramMax, c.Data, f) }

// Decode decodes the command; Data aliases p.
func (c *ProgramMax) Decode(p []byte, f Format) (err error) {
	c.Data, err = decodeMax("PROGRAM_MAX", p, CmdProgramMax, f)
	return err
}

// Validate checks the command against the format.
func (c ProgramMax) Validate(f Format) error { return validateMax("PROGRAM_MAX", c.Data, f) }

// PROGRAM_VERIFY modes.
const (
	VerifyInternal uint8 = 0x00 // request to start the slave's internal routine
	VerifyValue    uint8 = 0x01 // send the verification value
)

// ProgramVerify is the PROGRAM_VERIFY command.
type ProgramVerify struct {
	Mode  uint8
	Type  uint16
	Value uint32
}

// Append encodes the command.
func (c ProgramVerify) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, byte(CmdProgramVerify), c.Mode), c.Type)
	return f.Order.AppendUint32(b, c.Value)
}

// Decode decodes the command.
func (c *ProgramVerify) Decode(p []byte, f Format) error {
	if err := checkPacket("PROGRAM_VERIFY", p, byte(CmdProgramVerify), 8); err != nil {
		return err
	}
	c.Mode, c.Type, c.Value = p[1], f.Order.Uint16(p[2:]), f.Order.Uint32(p[4:])
	return nil
}

// TimeCorrelationProperties is the TIME_CORRELATION_PROPERTIES command
// (XCP 1.3+).
type TimeCorrelationProperties struct {
	SetProperties        uint8 // RESPONSE_FMT (bits 0-1), TIME_SYNC_BRIDGE (2-3), SET_CLUSTER_ID (4)
	GetPropertiesRequest uint8 // bit 0: GET_CLK_INFO (clock information is then uploaded)
	ClusterID            uint16
}

// Append encodes the command.
func (c TimeCorrelationProperties) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdTimeCorrelationProps), c.SetProperties, c.GetPropertiesRequest, 0)
	return f.Order.AppendUint16(b, c.ClusterID)
}

// Decode decodes the command.
func (c *TimeCorrelationProperties) Decode(p []byte, f Format) error {
	if err := checkPacket("TIME_CORRELATION_PROPERTIES", p, byte(CmdTimeCorrelationProps), 6); err != nil {
		return err
	}
	c.SetProperties, c.GetPropertiesRequest, c.ClusterID = p[1], p[2], f.Order.Uint16(p[4:])
	return nil
}

// TimeCorrelationPropertiesResponse is the response to
// TIME_CORRELATION_PROPERTIES.
type TimeCorrelationPropertiesResponse struct {
	SlaveConfig      uint8
	ObservableClocks uint8
	SyncState        uint8
	ClockInfo        uint8 // which clock descriptions can be uploaded
	ClusterID        uint16
}

// Append encodes the response.
func (r TimeCorrelationPropertiesResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes, r.SlaveConfig, r.ObservableClocks, r.SyncState, r.ClockInfo, 0)
	return f.Order.AppendUint16(b, r.ClusterID)
}

// Decode decodes the response.
func (r *TimeCorrelationPropertiesResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("TIME_CORRELATION_PROPERTIES response", p, PIDRes, 8); err != nil {
		return err
	}
	r.SlaveConfig, r.ObservableClocks, r.SyncState, r.ClockInfo = p[1], p[2], p[3], p[4]
	r.ClusterID = f.Order.Uint16(p[6:])
	return nil
}
