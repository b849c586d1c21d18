package xcp

import (
	"fmt"
	"time"
)

// This file holds the standard commands (XCP 1.5 part 2, 1.6.1) besides
// CONNECT, SET_MTA, GET_SEED and UNLOCK (std.go), plus the level-1
// GET_VERSION command.

// appendCmd appends a command that consists of its code only.
func appendCmd(b []byte, c Command) []byte { return append(b, byte(c)) }

// Disconnect is the DISCONNECT command. Its response is an OKResponse.
type Disconnect struct{}

// Append encodes the command.
func (Disconnect) Append(b []byte, _ Format) []byte { return appendCmd(b, CmdDisconnect) }

// Decode decodes the command.
func (*Disconnect) Decode(p []byte, _ Format) error {
	return checkPacket("DISCONNECT", p, byte(CmdDisconnect), 1)
}

// OKResponse is a positive response that carries nothing but the PID, as
// sent for DISCONNECT, SET_REQUEST, DOWNLOAD, SET_CAL_PAGE and others.
type OKResponse struct{}

// Append encodes the response.
func (OKResponse) Append(b []byte, _ Format) []byte { return append(b, PIDRes) }

// Decode checks that p is a positive response (trailing bytes, e.g.
// transport padding, are ignored).
func (*OKResponse) Decode(p []byte, _ Format) error {
	return checkPacket("positive response", p, PIDRes, 1)
}

// GetStatus is the GET_STATUS command.
type GetStatus struct{}

// Append encodes the command.
func (GetStatus) Append(b []byte, _ Format) []byte { return appendCmd(b, CmdGetStatus) }

// Decode decodes the command.
func (*GetStatus) Decode(p []byte, _ Format) error {
	return checkPacket("GET_STATUS", p, byte(CmdGetStatus), 1)
}

// SessionStatus is the session status byte of the GET_STATUS response.
type SessionStatus uint8

// Session status bits.
const (
	SessionStoreCalReq   SessionStatus = 0x01 // a STORE_CAL request is pending
	SessionCalPagCfgLost SessionStatus = 0x02 // the calibration page configuration was lost
	SessionStoreDaqReq   SessionStatus = 0x04 // a STORE_DAQ request is pending
	SessionClearDaqReq   SessionStatus = 0x08 // a CLEAR_DAQ request is pending
	SessionDaqCfgLost    SessionStatus = 0x10 // the DAQ configuration was lost
	SessionDaqRunning    SessionStatus = 0x40 // at least one DAQ list is running
	SessionResume        SessionStatus = 0x80 // the slave is in RESUME mode
)

var sessionStatusNames = []struct {
	bit  SessionStatus
	name string
}{
	{SessionStoreCalReq, "STORE_CAL_REQ"}, {SessionCalPagCfgLost, "CAL_PAG_CFG_LOST"},
	{SessionStoreDaqReq, "STORE_DAQ_REQ"}, {SessionClearDaqReq, "CLEAR_DAQ_REQ"},
	{SessionDaqCfgLost, "DAQ_CFG_LOST"}, {0x20, "BIT5"}, {SessionDaqRunning, "DAQ_RUNNING"},
	{SessionResume, "RESUME"},
}

// String lists the set bits, e.g. "STORE_CAL_REQ|DAQ_RUNNING" ("-" if none).
func (s SessionStatus) String() string {
	out := ""
	for _, n := range sessionStatusNames {
		if s&n.bit != 0 {
			if out != "" {
				out += "|"
			}
			out += n.name
		}
	}
	if out == "" {
		return "-"
	}
	return out
}

// GetStatusResponse is the response to GET_STATUS.
type GetStatusResponse struct {
	Session         SessionStatus
	Protection      Resource // resources that are currently locked
	StateNumber     uint8    // ECU state number (XCP 1.3+, 0 if unused)
	SessionConfigID uint16
}

// Append encodes the response.
func (r GetStatusResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes, byte(r.Session), byte(r.Protection), r.StateNumber)
	return f.Order.AppendUint16(b, r.SessionConfigID)
}

// Decode decodes the response.
func (r *GetStatusResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_STATUS response", p, PIDRes, 6); err != nil {
		return err
	}
	r.Session, r.Protection, r.StateNumber = SessionStatus(p[1]), Resource(p[2]), p[3]
	r.SessionConfigID = f.Order.Uint16(p[4:])
	return nil
}

// Synch is the SYNCH command. The slave answers it with ERR_CMD_SYNCH.
type Synch struct{}

// Append encodes the command.
func (Synch) Append(b []byte, _ Format) []byte { return appendCmd(b, CmdSynch) }

// Decode decodes the command.
func (*Synch) Decode(p []byte, _ Format) error { return checkPacket("SYNCH", p, byte(CmdSynch), 1) }

// GetCommModeInfo is the GET_COMM_MODE_INFO command.
type GetCommModeInfo struct{}

// Append encodes the command.
func (GetCommModeInfo) Append(b []byte, _ Format) []byte { return appendCmd(b, CmdGetCommModeInfo) }

// Decode decodes the command.
func (*GetCommModeInfo) Decode(p []byte, _ Format) error {
	return checkPacket("GET_COMM_MODE_INFO", p, byte(CmdGetCommModeInfo), 1)
}

// COMM_MODE_OPTIONAL bits of GET_COMM_MODE_INFO (and COMM_MODE_PGM of
// PROGRAM_START, which adds CommModeSlaveBlockMode).
const (
	CommModeMasterBlockMode uint8 = 0x01
	CommModeInterleaved     uint8 = 0x02
)

// GetCommModeInfoResponse is the response to GET_COMM_MODE_INFO.
type GetCommModeInfoResponse struct {
	CommModeOptional uint8 // CommModeMasterBlockMode, CommModeInterleaved
	MaxBS            uint8 // maximum block size in master block mode (packets)
	MinST            uint8 // minimum separation time in units of 100 µs
	QueueSize        uint8 // maximum queue size in interleaved mode
	DriverVersion    uint8 // XCP driver version number (BCD-like, e.g. 0x15)
}

// MasterBlockMode reports whether the slave accepts master block mode.
func (r GetCommModeInfoResponse) MasterBlockMode() bool {
	return r.CommModeOptional&CommModeMasterBlockMode != 0
}

// Interleaved reports whether the slave accepts interleaved mode.
func (r GetCommModeInfoResponse) Interleaved() bool {
	return r.CommModeOptional&CommModeInterleaved != 0
}

// MinSeparation returns MIN_ST as a duration.
func (r GetCommModeInfoResponse) MinSeparation() time.Duration {
	return time.Duration(r.MinST) * 100 * time.Microsecond
}

// Append encodes the response.
func (r GetCommModeInfoResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, 0, r.CommModeOptional, 0, r.MaxBS, r.MinST, r.QueueSize, r.DriverVersion)
}

// Decode decodes the response.
func (r *GetCommModeInfoResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_COMM_MODE_INFO response", p, PIDRes, 8); err != nil {
		return err
	}
	r.CommModeOptional, r.MaxBS, r.MinST, r.QueueSize, r.DriverVersion = p[2], p[4], p[5], p[6], p[7]
	return nil
}

// IDType is the requested identification type of GET_ID.
type IDType uint8

// Identification types. 0..4 are defined by XCP; 5..7 are used by
// XCPlite-based slaves (EPK, ECU name, system id); 128..255 are user
// defined.
const (
	IDASCII    IDType = 0 // ASCII text
	IDFilename IDType = 1 // ASAM-MC2 file name without path and extension
	IDFilePath IDType = 2 // ASAM-MC2 file name with path and extension
	IDURL      IDType = 3 // URL where the ASAM-MC2 file can be found
	IDFile     IDType = 4 // the ASAM-MC2 file itself, to upload
	IDEPK      IDType = 5 // EPK (software version), XCPlite convention
	IDECU      IDType = 6 // ECU name, XCPlite convention
	IDSysID    IDType = 7 // system identifier, XCPlite convention
)

// String returns the IDType's name as the specification spells it.
func (t IDType) String() string {
	switch t {
	case IDASCII:
		return "ASCII"
	case IDFilename:
		return "ASAM-MC2 file name"
	case IDFilePath:
		return "ASAM-MC2 file path"
	case IDURL:
		return "ASAM-MC2 URL"
	case IDFile:
		return "ASAM-MC2 file"
	case IDEPK:
		return "EPK"
	case IDECU:
		return "ECU name"
	case IDSysID:
		return "system id"
	}
	if t >= 128 {
		return fmt.Sprintf("user defined %d", uint8(t))
	}
	return fmt.Sprintf("IDType(%d)", uint8(t))
}

// GetID is the GET_ID command.
type GetID struct {
	Type IDType
}

// Append encodes the command.
func (c GetID) Append(b []byte, _ Format) []byte { return append(b, byte(CmdGetID), byte(c.Type)) }

// Decode decodes the command.
func (c *GetID) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_ID", p, byte(CmdGetID), 2); err != nil {
		return err
	}
	c.Type = IDType(p[1])
	return nil
}

// GET_ID response mode bits.
const (
	IDModeInline     uint8 = 0x01 // the identification follows in the response itself
	IDModeCompressed uint8 = 0x02 // the identification is compressed/encrypted
)

// GetIDResponse is the response to GET_ID. With IDModeInline set, Data
// holds the identification (Length bytes); otherwise the master uploads
// Length bytes from the MTA the slave has set.
type GetIDResponse struct {
	Mode   uint8
	Length uint32
	Data   []byte // inline identification (aliases the packet after Decode)
}

// Inline reports whether the identification is in the response.
func (r GetIDResponse) Inline() bool { return r.Mode&IDModeInline != 0 }

// Append encodes the response.
func (r GetIDResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes, r.Mode, 0, 0)
	b = f.Order.AppendUint32(b, r.Length)
	if r.Inline() {
		b = append(b, r.Data...)
	}
	return b
}

// Decode decodes the response; an inline identification must be complete.
func (r *GetIDResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_ID response", p, PIDRes, 8); err != nil {
		return err
	}
	r.Mode = p[1]
	r.Length = f.Order.Uint32(p[4:])
	r.Data = nil
	if r.Inline() {
		if uint64(r.Length) > uint64(len(p)-8) {
			return fmt.Errorf("xcp: GET_ID response: inline identification of %d bytes but only %d present: %w",
				r.Length, len(p)-8, ErrMalformed)
		}
		r.Data = p[8 : 8+int(r.Length)]
	}
	return nil
}

// SET_REQUEST mode bits.
const (
	RequestStoreCal           uint8 = 0x01
	RequestStoreDaqNoResume   uint8 = 0x02
	RequestStoreDaqResume     uint8 = 0x04
	RequestClearDaq           uint8 = 0x08
	RequestClearCalPagCfgLost uint8 = 0x10
	RequestClearDaqCfgLost    uint8 = 0x20
)

// SetRequest is the SET_REQUEST command. Its response is an OKResponse.
type SetRequest struct {
	Mode            uint8 // Request* bits
	SessionConfigID uint16
}

// Append encodes the command.
func (c SetRequest) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdSetRequest), c.Mode)
	return f.Order.AppendUint16(b, c.SessionConfigID)
}

// Decode decodes the command.
func (c *SetRequest) Decode(p []byte, f Format) error {
	if err := checkPacket("SET_REQUEST", p, byte(CmdSetRequest), 4); err != nil {
		return err
	}
	c.Mode = p[1]
	c.SessionConfigID = f.Order.Uint16(p[2:])
	return nil
}

// Upload is the UPLOAD command: read N elements (of the address
// granularity) from the MTA. N larger than Format.MaxUploadElements needs
// slave block mode (several response packets, see Format.UploadPackets).
type Upload struct {
	N uint8
}

// Append encodes the command.
func (c Upload) Append(b []byte, _ Format) []byte { return append(b, byte(CmdUpload), c.N) }

// Decode decodes the command.
func (c *Upload) Decode(p []byte, _ Format) error {
	if err := checkPacket("UPLOAD", p, byte(CmdUpload), 2); err != nil {
		return err
	}
	c.N = p[1]
	return nil
}

// UploadResponse is one response packet of UPLOAD or SHORT_UPLOAD: the
// PID, AG-1 alignment bytes, then the data elements.
type UploadResponse struct {
	Data []byte // aliases the packet after Decode
}

// Append encodes the response (with the alignment bytes for f.AG).
func (r UploadResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes)
	for range f.Align() {
		b = append(b, 0)
	}
	return append(b, r.Data...)
}

// Decode decodes the response. Data is everything after the alignment
// bytes, which may include transport padding; use DecodeElems when the
// number of elements is known.
func (r *UploadResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("UPLOAD response", p, PIDRes, f.AG.Size()); err != nil {
		return err
	}
	r.Data = p[f.AG.Size():]
	return nil
}

// DecodeElems decodes a response that must carry n elements; Data is
// trimmed to them.
func (r *UploadResponse) DecodeElems(p []byte, f Format, n int) error {
	ag := f.AG.Size()
	if n < 0 || n > 255 {
		return fmt.Errorf("xcp: UPLOAD response: %d elements requested, want 0..255", n)
	}
	if err := checkPacket("UPLOAD response", p, PIDRes, ag+n*ag); err != nil {
		return err
	}
	r.Data = p[ag : ag+n*ag]
	return nil
}

// UploadPackets returns how many response packets an UPLOAD of n elements
// produces (more than one in slave block mode).
func (f Format) UploadPackets(n int) int {
	per := f.MaxUploadElements()
	if n <= 0 || per <= 0 {
		return 1
	}
	return (n + per - 1) / per
}

// ShortUpload is the SHORT_UPLOAD command: read N elements from Addr/Ext.
type ShortUpload struct {
	N    uint8
	Ext  uint8
	Addr uint32
}

// Append encodes the command.
func (c ShortUpload) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdShortUpload), c.N, 0, c.Ext)
	return f.Order.AppendUint32(b, c.Addr)
}

// Decode decodes the command.
func (c *ShortUpload) Decode(p []byte, f Format) error {
	if err := checkPacket("SHORT_UPLOAD", p, byte(CmdShortUpload), 8); err != nil {
		return err
	}
	c.N, c.Ext, c.Addr = p[1], p[3], f.Order.Uint32(p[4:])
	return nil
}

// Validate checks that the response fits one packet.
func (c ShortUpload) Validate(f Format) error {
	if int(c.N) > f.MaxUploadElements() {
		return fmt.Errorf("xcp: SHORT_UPLOAD of %d elements exceeds the %d one packet of MAX_CTO %d carries",
			c.N, f.MaxUploadElements(), f.CTO())
	}
	return nil
}

// ChecksumType identifies a BUILD_CHECKSUM algorithm.
type ChecksumType uint8

// Checksum types of BUILD_CHECKSUM.
const (
	ChecksumAdd11     ChecksumType = 0x01 // add bytes into a byte
	ChecksumAdd12     ChecksumType = 0x02 // add bytes into a word
	ChecksumAdd14     ChecksumType = 0x03 // add bytes into a dword
	ChecksumAdd22     ChecksumType = 0x04 // add words into a word
	ChecksumAdd24     ChecksumType = 0x05 // add words into a dword
	ChecksumAdd44     ChecksumType = 0x06 // add dwords into a dword
	ChecksumCRC16     ChecksumType = 0x07 // CRC-16 (ARC)
	ChecksumCRC16CITT ChecksumType = 0x08 // CRC-16-CCITT (CCITT-FALSE)
	ChecksumCRC32     ChecksumType = 0x09 // CRC-32 (IEEE)
	ChecksumUser      ChecksumType = 0xFF // user defined (slave-specific)
)

var checksumNames = map[ChecksumType]string{
	ChecksumAdd11: "XCP_ADD_11", ChecksumAdd12: "XCP_ADD_12", ChecksumAdd14: "XCP_ADD_14",
	ChecksumAdd22: "XCP_ADD_22", ChecksumAdd24: "XCP_ADD_24", ChecksumAdd44: "XCP_ADD_44",
	ChecksumCRC16: "XCP_CRC_16", ChecksumCRC16CITT: "XCP_CRC_16_CITT", ChecksumCRC32: "XCP_CRC_32",
	ChecksumUser: "XCP_USER_DEFINED",
}

// String returns the ASAM name, e.g. "XCP_CRC_32".
func (t ChecksumType) String() string {
	if s, ok := checksumNames[t]; ok {
		return s
	}
	return fmt.Sprintf("ChecksumType(0x%02X)", uint8(t))
}

// BuildChecksum is the BUILD_CHECKSUM command over BlockSize elements
// starting at the MTA.
type BuildChecksum struct {
	BlockSize uint32
}

// Append encodes the command.
func (c BuildChecksum) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdBuildChecksum), 0, 0, 0)
	return f.Order.AppendUint32(b, c.BlockSize)
}

// Decode decodes the command.
func (c *BuildChecksum) Decode(p []byte, f Format) error {
	if err := checkPacket("BUILD_CHECKSUM", p, byte(CmdBuildChecksum), 8); err != nil {
		return err
	}
	c.BlockSize = f.Order.Uint32(p[4:])
	return nil
}

// BuildChecksumResponse is the response to BUILD_CHECKSUM.
type BuildChecksumResponse struct {
	Type     ChecksumType
	Checksum uint32
}

// Append encodes the response.
func (r BuildChecksumResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes, byte(r.Type), 0, 0)
	return f.Order.AppendUint32(b, r.Checksum)
}

// Decode decodes the response.
func (r *BuildChecksumResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("BUILD_CHECKSUM response", p, PIDRes, 8); err != nil {
		return err
	}
	r.Type = ChecksumType(p[1])
	r.Checksum = f.Order.Uint32(p[4:])
	return nil
}

// ChecksumBlockLimit extracts MTA_BLOCK_SIZE_MAX from the ERR_OUT_OF_RANGE
// answer to BUILD_CHECKSUM (ERR packet bytes 4..7). ok is false if e is
// not such an error or carries no limit.
func ChecksumBlockLimit(e *Error, f Format) (max uint32, ok bool) {
	if e == nil || e.Code != ErrOutOfRange || len(e.Data) < 6 {
		return 0, false
	}
	max = f.Order.Uint32(e.Data[2:])
	return max, max != 0
}

// AppendChecksumBlockLimit appends the ERR_OUT_OF_RANGE packet a slave
// sends when BUILD_CHECKSUM's block size exceeds max.
func AppendChecksumBlockLimit(b []byte, f Format, max uint32) []byte {
	b = append(b, PIDErr, byte(ErrOutOfRange), 0, 0)
	return f.Order.AppendUint32(b, max)
}

// TransportLayerCmd is TRANSPORT_LAYER_CMD: a transport-specific
// sub-command and its parameters, sent as they are.
type TransportLayerCmd struct {
	Sub    uint8
	Params []byte
}

// Append encodes the command.
func (c TransportLayerCmd) Append(b []byte, _ Format) []byte {
	return append(append(b, byte(CmdTransportLayerCmd), c.Sub), c.Params...)
}

// Decode decodes the command; Params aliases p.
func (c *TransportLayerCmd) Decode(p []byte, _ Format) error {
	if err := checkPacket("TRANSPORT_LAYER_CMD", p, byte(CmdTransportLayerCmd), 2); err != nil {
		return err
	}
	c.Sub, c.Params = p[1], p[2:]
	return nil
}

// Validate checks that the command fits MAX_CTO.
func (c TransportLayerCmd) Validate(f Format) error {
	return checkFits("TRANSPORT_LAYER_CMD", 2+len(c.Params), f)
}

// UserCmd is USER_CMD: a slave-specific sub-command and its parameters.
type UserCmd struct {
	Sub    uint8
	Params []byte
}

// Append encodes the command.
func (c UserCmd) Append(b []byte, _ Format) []byte {
	return append(append(b, byte(CmdUserCmd), c.Sub), c.Params...)
}

// Decode decodes the command; Params aliases p.
func (c *UserCmd) Decode(p []byte, _ Format) error {
	if err := checkPacket("USER_CMD", p, byte(CmdUserCmd), 2); err != nil {
		return err
	}
	c.Sub, c.Params = p[1], p[2:]
	return nil
}

// Validate checks that the command fits MAX_CTO.
func (c UserCmd) Validate(f Format) error { return checkFits("USER_CMD", 2+len(c.Params), f) }

// RawResponse is a positive response whose content the protocol layer
// does not interpret (TRANSPORT_LAYER_CMD, USER_CMD): the bytes after the
// PID.
type RawResponse struct {
	Data []byte // aliases the packet after Decode
}

// Append encodes the response.
func (r RawResponse) Append(b []byte, _ Format) []byte { return append(append(b, PIDRes), r.Data...) }

// Decode decodes the response.
func (r *RawResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("positive response", p, PIDRes, 1); err != nil {
		return err
	}
	r.Data = p[1:]
	return nil
}

// checkFits reports a packet of n bytes that exceeds MAX_CTO.
func checkFits(what string, n int, f Format) error {
	if n > f.CTO() {
		return fmt.Errorf("xcp: %s of %d bytes exceeds MAX_CTO %d", what, n, f.CTO())
	}
	return nil
}

// GetVersion is the level-1 GET_VERSION command (0xC0 0x00).
type GetVersion struct{}

// Append encodes the command.
func (GetVersion) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdLevel1), byte(L1GetVersion))
}

// Decode decodes the command.
func (*GetVersion) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_VERSION", p, byte(CmdLevel1), 2); err != nil {
		return err
	}
	if Level1(p[1]) != L1GetVersion {
		return fmt.Errorf("xcp: GET_VERSION: sub-command 0x%02X, want 0x00: %w", p[1], ErrMalformed)
	}
	return nil
}

// GetVersionResponse is the response to GET_VERSION: the detailed
// protocol and transport layer versions.
type GetVersionResponse struct {
	ProtocolMajor, ProtocolMinor   uint8
	TransportMajor, TransportMinor uint8
}

// Append encodes the response.
func (r GetVersionResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, 0, r.ProtocolMajor, r.ProtocolMinor, r.TransportMajor, r.TransportMinor)
}

// Decode decodes the response.
func (r *GetVersionResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_VERSION response", p, PIDRes, 6); err != nil {
		return err
	}
	r.ProtocolMajor, r.ProtocolMinor, r.TransportMajor, r.TransportMinor = p[2], p[3], p[4], p[5]
	return nil
}
