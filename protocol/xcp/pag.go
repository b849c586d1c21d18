package xcp

// Page switching commands (PAG group). Commands without parameters in
// their response are answered with an OKResponse.

// CalPageMode selects whose page SET_CAL_PAGE/GET_CAL_PAGE address.
type CalPageMode uint8

// Calibration page access modes.
const (
	CalPageECU CalPageMode = 0x01 // the page the ECU uses
	CalPageXCP CalPageMode = 0x02 // the page XCP accesses
	CalPageAll CalPageMode = 0x80 // all segments (SET_CAL_PAGE only)
)

// SetCalPage is the SET_CAL_PAGE command.
type SetCalPage struct {
	Mode    CalPageMode
	Segment uint8
	Page    uint8
}

// Append encodes the command.
func (c SetCalPage) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdSetCalPage), byte(c.Mode), c.Segment, c.Page)
}

// Decode decodes the command.
func (c *SetCalPage) Decode(p []byte, _ Format) error {
	if err := checkPacket("SET_CAL_PAGE", p, byte(CmdSetCalPage), 4); err != nil {
		return err
	}
	c.Mode, c.Segment, c.Page = CalPageMode(p[1]), p[2], p[3]
	return nil
}

// GetCalPage is the GET_CAL_PAGE command.
type GetCalPage struct {
	Mode    CalPageMode // CalPageECU or CalPageXCP
	Segment uint8
}

// Append encodes the command.
func (c GetCalPage) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdGetCalPage), byte(c.Mode), c.Segment)
}

// Decode decodes the command.
func (c *GetCalPage) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_CAL_PAGE", p, byte(CmdGetCalPage), 3); err != nil {
		return err
	}
	c.Mode, c.Segment = CalPageMode(p[1]), p[2]
	return nil
}

// GetCalPageResponse is the response to GET_CAL_PAGE.
type GetCalPageResponse struct {
	Page uint8
}

// Append encodes the response.
func (r GetCalPageResponse) Append(b []byte, _ Format) []byte { return append(b, PIDRes, 0, 0, r.Page) }

// Decode decodes the response.
func (r *GetCalPageResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_CAL_PAGE response", p, PIDRes, 4); err != nil {
		return err
	}
	r.Page = p[3]
	return nil
}

// GetPagProcessorInfo is the GET_PAG_PROCESSOR_INFO command.
type GetPagProcessorInfo struct{}

// Append encodes the command.
func (GetPagProcessorInfo) Append(b []byte, _ Format) []byte {
	return appendCmd(b, CmdGetPagProcessorInfo)
}

// Decode decodes the command.
func (*GetPagProcessorInfo) Decode(p []byte, _ Format) error {
	return checkPacket("GET_PAG_PROCESSOR_INFO", p, byte(CmdGetPagProcessorInfo), 1)
}

// PagFreezeSupported is the PAG_PROPERTIES bit telling that the slave
// supports FREEZE mode (SET_SEGMENT_MODE).
const PagFreezeSupported uint8 = 0x01

// GetPagProcessorInfoResponse is the response to GET_PAG_PROCESSOR_INFO.
type GetPagProcessorInfoResponse struct {
	MaxSegments uint8
	Properties  uint8 // PagFreezeSupported
}

// Append encodes the response.
func (r GetPagProcessorInfoResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, r.MaxSegments, r.Properties)
}

// Decode decodes the response.
func (r *GetPagProcessorInfoResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_PAG_PROCESSOR_INFO response", p, PIDRes, 3); err != nil {
		return err
	}
	r.MaxSegments, r.Properties = p[1], p[2]
	return nil
}

// SegmentInfoMode selects what GET_SEGMENT_INFO returns.
type SegmentInfoMode uint8

// GET_SEGMENT_INFO modes.
const (
	SegmentInfoBasic    SegmentInfoMode = 0 // address (Info 0) or length (Info 1): GetSegmentInfoValueResponse
	SegmentInfoStandard SegmentInfoMode = 1 // pages, extension, mappings: GetSegmentInfoStandardResponse
	SegmentInfoMapping  SegmentInfoMode = 2 // mapping source (0), destination (1), length (2): GetSegmentInfoValueResponse
)

// GetSegmentInfo is the GET_SEGMENT_INFO command.
type GetSegmentInfo struct {
	Mode         SegmentInfoMode
	Segment      uint8
	Info         uint8 // which value (modes 0 and 2)
	MappingIndex uint8 // mode 2 only
}

// Append encodes the command.
func (c GetSegmentInfo) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdGetSegmentInfo), byte(c.Mode), c.Segment, c.Info, c.MappingIndex)
}

// Decode decodes the command.
func (c *GetSegmentInfo) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SEGMENT_INFO", p, byte(CmdGetSegmentInfo), 5); err != nil {
		return err
	}
	c.Mode, c.Segment, c.Info, c.MappingIndex = SegmentInfoMode(p[1]), p[2], p[3], p[4]
	return nil
}

// GetSegmentInfoValueResponse is the response to GET_SEGMENT_INFO in modes
// 0 (basic address info) and 2 (address mapping info).
type GetSegmentInfoValueResponse struct {
	Value uint32
}

// Append encodes the response.
func (r GetSegmentInfoValueResponse) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint32(append(b, PIDRes, 0, 0, 0), r.Value)
}

// Decode decodes the response.
func (r *GetSegmentInfoValueResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_SEGMENT_INFO response", p, PIDRes, 8); err != nil {
		return err
	}
	r.Value = f.Order.Uint32(p[4:])
	return nil
}

// GetSegmentInfoStandardResponse is the response to GET_SEGMENT_INFO in
// mode 1 (standard info).
type GetSegmentInfoStandardResponse struct {
	MaxPages    uint8 `json:"max_pages"`
	Ext         uint8 `json:"ext"` // address extension of the segment
	MaxMapping  uint8 `json:"max_mapping"`
	Compression uint8 `json:"compression"`
	Encryption  uint8 `json:"encryption"`
}

// Append encodes the response.
func (r GetSegmentInfoStandardResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, r.MaxPages, r.Ext, r.MaxMapping, r.Compression, r.Encryption)
}

// Decode decodes the response.
func (r *GetSegmentInfoStandardResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SEGMENT_INFO standard response", p, PIDRes, 6); err != nil {
		return err
	}
	r.MaxPages, r.Ext, r.MaxMapping, r.Compression, r.Encryption = p[1], p[2], p[3], p[4], p[5]
	return nil
}

// GetPageInfo is the GET_PAGE_INFO command.
type GetPageInfo struct {
	Segment uint8
	Page    uint8
}

// Append encodes the command.
func (c GetPageInfo) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdGetPageInfo), 0, c.Segment, c.Page)
}

// Decode decodes the command.
func (c *GetPageInfo) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_PAGE_INFO", p, byte(CmdGetPageInfo), 4); err != nil {
		return err
	}
	c.Segment, c.Page = p[2], p[3]
	return nil
}

// PAGE_PROPERTIES bits of GET_PAGE_INFO.
const (
	PageECUAccessWithoutXCP uint8 = 0x01
	PageECUAccessWithXCP    uint8 = 0x02
	PageXCPReadWithoutECU   uint8 = 0x04
	PageXCPReadWithECU      uint8 = 0x08
	PageXCPWriteWithoutECU  uint8 = 0x10
	PageXCPWriteWithECU     uint8 = 0x20
)

// GetPageInfoResponse is the response to GET_PAGE_INFO.
type GetPageInfoResponse struct {
	Properties  uint8 // Page* bits
	InitSegment uint8
}

// Append encodes the response.
func (r GetPageInfoResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, r.Properties, r.InitSegment)
}

// Decode decodes the response.
func (r *GetPageInfoResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_PAGE_INFO response", p, PIDRes, 3); err != nil {
		return err
	}
	r.Properties, r.InitSegment = p[1], p[2]
	return nil
}

// SegmentFreeze is the FREEZE bit of the segment mode.
const SegmentFreeze uint8 = 0x01

// SetSegmentMode is the SET_SEGMENT_MODE command.
type SetSegmentMode struct {
	Mode    uint8 // SegmentFreeze
	Segment uint8
}

// Append encodes the command.
func (c SetSegmentMode) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdSetSegmentMode), c.Mode, c.Segment)
}

// Decode decodes the command.
func (c *SetSegmentMode) Decode(p []byte, _ Format) error {
	if err := checkPacket("SET_SEGMENT_MODE", p, byte(CmdSetSegmentMode), 3); err != nil {
		return err
	}
	c.Mode, c.Segment = p[1], p[2]
	return nil
}

// GetSegmentMode is the GET_SEGMENT_MODE command.
type GetSegmentMode struct {
	Segment uint8
}

// Append encodes the command.
func (c GetSegmentMode) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdGetSegmentMode), 0, c.Segment)
}

// Decode decodes the command.
func (c *GetSegmentMode) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SEGMENT_MODE", p, byte(CmdGetSegmentMode), 3); err != nil {
		return err
	}
	c.Segment = p[2]
	return nil
}

// GetSegmentModeResponse is the response to GET_SEGMENT_MODE.
type GetSegmentModeResponse struct {
	Mode uint8 // SegmentFreeze
}

// Append encodes the response.
func (r GetSegmentModeResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, 0, r.Mode)
}

// Decode decodes the response.
func (r *GetSegmentModeResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SEGMENT_MODE response", p, PIDRes, 3); err != nil {
		return err
	}
	r.Mode = p[2]
	return nil
}

// CopyCalPage is the COPY_CAL_PAGE command.
type CopyCalPage struct {
	SrcSegment, SrcPage uint8
	DstSegment, DstPage uint8
}

// Append encodes the command.
func (c CopyCalPage) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdCopyCalPage), c.SrcSegment, c.SrcPage, c.DstSegment, c.DstPage)
}

// Decode decodes the command.
func (c *CopyCalPage) Decode(p []byte, _ Format) error {
	if err := checkPacket("COPY_CAL_PAGE", p, byte(CmdCopyCalPage), 5); err != nil {
		return err
	}
	c.SrcSegment, c.SrcPage, c.DstSegment, c.DstPage = p[1], p[2], p[3], p[4]
	return nil
}
