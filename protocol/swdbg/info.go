package swdbg

import (
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Attach is DBG_ATTACH (table 8).
type Attach struct{}

// Append encodes the command.
func (Attach) Append(b []byte, _ xcp.Format) []byte { return appendHeader(b, CmdAttach) }

// Decode decodes the command.
func (*Attach) Decode(p []byte, _ xcp.Format) error { return checkCmd(p, CmdAttach, 3) }

// AttachResponse is the DBG_ATTACH response (table 9).
type AttachResponse struct {
	Major, Minor uint8  // SW-DBG version, 1.0
	T1, T7       uint8  // timeouts in units of 2 ms
	MaxCTODbg    uint16 // MAX_CTO_DBG
}

// T1Duration is the command timeout t1 (n·2 ms).
func (r AttachResponse) T1Duration() time.Duration { return time.Duration(r.T1) * 2 * time.Millisecond }

// T7Duration is the busy wait t7 (n·2 ms).
func (r AttachResponse) T7Duration() time.Duration { return time.Duration(r.T7) * 2 * time.Millisecond }

// Append encodes the response.
func (r AttachResponse) Append(b []byte, f xcp.Format) []byte {
	b = append(b, xcp.PIDRes, r.Major, r.Minor, r.T1, r.T7, 0)
	return f.Order.AppendUint16(b, r.MaxCTODbg)
}

// Decode decodes the response. MAX_CTO_DBG below 8 is rejected. A 7-byte
// response without the reserved byte 5 (the form printed in table 64 of the
// standard) is accepted too.
func (r *AttachResponse) Decode(p []byte, f xcp.Format) error {
	if err := checkRes(p, "DBG_ATTACH response", 7); err != nil {
		return err
	}
	r.Major, r.Minor, r.T1, r.T7 = p[1], p[2], p[3], p[4]
	if len(p) == 7 {
		r.MaxCTODbg = f.Order.Uint16(p[5:])
	} else {
		r.MaxCTODbg = f.Order.Uint16(p[6:])
	}
	if r.MaxCTODbg < 8 {
		return fmt.Errorf("xcp/swdbg: DBG_ATTACH response: MAX_CTO_DBG %d is below 8: %w", r.MaxCTODbg, xcp.ErrMalformed)
	}
	return nil
}

// GetVendorInfo is DBG_GET_VENDOR_INFO (table 10).
type GetVendorInfo struct{}

// Append encodes the command.
func (GetVendorInfo) Append(b []byte, _ xcp.Format) []byte { return appendHeader(b, CmdGetVendorInfo) }

// Decode decodes the command.
func (*GetVendorInfo) Decode(p []byte, _ xcp.Format) error { return checkCmd(p, CmdGetVendorInfo, 3) }

// GetVendorInfoResponse is the DBG_GET_VENDOR_INFO response (table 11).
type GetVendorInfoResponse struct {
	Vendor uint16 // vendor identification (POD standard)
	Info   []byte // vendor specific information (at most 255 bytes)
}

// Append encodes the response.
func (r GetVendorInfoResponse) Append(b []byte, f xcp.Format) []byte {
	b = append(b, xcp.PIDRes, uint8(len(r.Info)))
	b = f.Order.AppendUint16(b, r.Vendor)
	return append(b, r.Info...)
}

// Decode decodes the response; Info aliases p.
func (r *GetVendorInfoResponse) Decode(p []byte, f xcp.Format) error {
	if err := checkRes(p, "DBG_GET_VENDOR_INFO response", 4); err != nil {
		return err
	}
	n := int(p[1])
	if len(p) < 4+n {
		return &xcp.FormatError{What: "DBG_GET_VENDOR_INFO response", Need: 4 + n, Got: len(p)}
	}
	r.Vendor = f.Order.Uint16(p[2:])
	r.Info = p[4 : 4+n]
	return nil
}

// GetModeInfo is DBG_GET_MODE_INFO (table 12).
type GetModeInfo struct{}

// Append encodes the command.
func (GetModeInfo) Append(b []byte, _ xcp.Format) []byte { return appendHeader(b, CmdGetModeInfo) }

// Decode decodes the command.
func (*GetModeInfo) Decode(p []byte, _ xcp.Format) error { return checkCmd(p, CmdGetModeInfo, 3) }

// Dialect is the low-level target access dialect (table 14).
type Dialect uint8

// Dialects.
const (
	DialectNone Dialect = 0x00 // no low level target access
	DialectJTAG Dialect = 0x01 // JTAG via DBG_SEQUENCE_MULTIPLE (JPL)
	DialectDAP  Dialect = 0x02 // Infineon DAP via DBG_LLT
)

func (d Dialect) String() string {
	switch d {
	case DialectNone:
		return "none"
	case DialectJTAG:
		return "JTAG (JPL)"
	case DialectDAP:
		return "Infineon DAP (LLT)"
	}
	return fmt.Sprintf("Dialect(0x%02X)", uint8(d))
}

// FeatureHAR is the feature bit "DBG_HALT_AFTER_RESET supported" (table 15).
const FeatureHAR uint8 = 0x01

// ServiceLevel is the service level code of table 17: the wire value 0
// is service level 1, … 3 is service level 4.
type ServiceLevel uint8

// Service levels (wire values).
const (
	ServiceNoAccess  ServiceLevel = 0x00 // level 1: no access for SW-DBG
	ServiceExclusive ServiceLevel = 0x01 // level 2: exclusive access
	ServiceHigh      ServiceLevel = 0x02 // level 3: shared, high bandwidth
	ServiceLow       ServiceLevel = 0x03 // level 4: shared, low bandwidth, ≤100 µs per access
)

// Level returns the service level number 1…4 (0 for a reserved code).
func (s ServiceLevel) Level() int {
	if s > ServiceLow {
		return 0
	}
	return int(s) + 1
}

func (s ServiceLevel) String() string {
	switch s {
	case ServiceNoAccess:
		return "service level 1 (no target access)"
	case ServiceExclusive:
		return "service level 2 (exclusive access)"
	case ServiceHigh:
		return "service level 3 (shared, high bandwidth)"
	case ServiceLow:
		return "service level 4 (shared, low bandwidth, 100 µs budget)"
	}
	return fmt.Sprintf("ServiceLevel(0x%02X)", uint8(s))
}

// GetModeInfoResponse is the DBG_GET_MODE_INFO response (table 13).
type GetModeInfoResponse struct {
	MaxHWIOPins  uint8
	Dialect      Dialect
	Feature      uint8 // FeatureHAR
	ServiceLevel ServiceLevel
}

// HaltAfterReset reports the HAR feature bit.
func (r GetModeInfoResponse) HaltAfterReset() bool { return r.Feature&FeatureHAR != 0 }

// Append encodes the response.
func (r GetModeInfoResponse) Append(b []byte, _ xcp.Format) []byte {
	return append(b, xcp.PIDRes, 0, r.MaxHWIOPins, byte(r.Dialect), r.Feature, byte(r.ServiceLevel))
}

// Decode decodes the response.
func (r *GetModeInfoResponse) Decode(p []byte, _ xcp.Format) error {
	if err := checkRes(p, "DBG_GET_MODE_INFO response", 6); err != nil {
		return err
	}
	r.MaxHWIOPins, r.Dialect, r.Feature, r.ServiceLevel = p[2], Dialect(p[3]), p[4], ServiceLevel(p[5])
	return nil
}

// GetJTAGID is DBG_GET_JTAG_ID (table 18).
type GetJTAGID struct{}

// Append encodes the command.
func (GetJTAGID) Append(b []byte, _ xcp.Format) []byte { return appendHeader(b, CmdGetJTAGID) }

// Decode decodes the command.
func (*GetJTAGID) Decode(p []byte, _ xcp.Format) error { return checkCmd(p, CmdGetJTAGID, 3) }

// GetJTAGIDResponse is the DBG_GET_JTAG_ID response (table 19).
type GetJTAGIDResponse struct{ ID uint32 }

// Append encodes the response.
func (r GetJTAGIDResponse) Append(b []byte, f xcp.Format) []byte {
	return f.Order.AppendUint32(append(b, xcp.PIDRes, 0, 0, 0), r.ID)
}

// Decode decodes the response.
func (r *GetJTAGIDResponse) Decode(p []byte, f xcp.Format) error {
	if err := checkRes(p, "DBG_GET_JTAG_ID response", 8); err != nil {
		return err
	}
	r.ID = f.Order.Uint32(p[4:])
	return nil
}

// HaltAfterReset is DBG_HALT_AFTER_RESET (table 20); the positive response
// is the bare PID.
type HaltAfterReset struct{}

// Append encodes the command.
func (HaltAfterReset) Append(b []byte, _ xcp.Format) []byte {
	return appendHeader(b, CmdHaltAfterReset)
}

// Decode decodes the command.
func (*HaltAfterReset) Decode(p []byte, _ xcp.Format) error { return checkCmd(p, CmdHaltAfterReset, 3) }

// ExclusiveMode is the mode of DBG_EXCLUSIVE_TARGET_ACCESS (table 30).
type ExclusiveMode uint8

// Exclusive access modes.
const (
	ExclusiveRequest ExclusiveMode = 0x00
	ExclusiveRelease ExclusiveMode = 0x01
)

// ExclusiveContext is the context of DBG_EXCLUSIVE_TARGET_ACCESS (table 31).
type ExclusiveContext uint8

// Exclusive access contexts.
const (
	ContextGeneric ExclusiveContext = 0x00
	ContextNVM     ExclusiveContext = 0x01 // non-volatile memory programming
)

// ExclusiveAccess is DBG_EXCLUSIVE_TARGET_ACCESS (table 29); the positive
// response is the bare PID.
type ExclusiveAccess struct {
	Mode    ExclusiveMode
	Context ExclusiveContext
}

// Append encodes the command.
func (c ExclusiveAccess) Append(b []byte, _ xcp.Format) []byte {
	return append(appendHeader(b, CmdExclusiveAccess), byte(c.Mode), byte(c.Context))
}

// Decode decodes the command; reserved mode or context values are errors.
func (c *ExclusiveAccess) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdExclusiveAccess, 5); err != nil {
		return err
	}
	c.Mode, c.Context = ExclusiveMode(p[3]), ExclusiveContext(p[4])
	if c.Mode > ExclusiveRelease || c.Context > ContextNVM {
		return fmt.Errorf("xcp/swdbg: DBG_EXCLUSIVE_TARGET_ACCESS: mode %d / context %d reserved: %w", c.Mode, c.Context, xcp.ErrMalformed)
	}
	return nil
}

// Ack is the bare positive response (0xFF) of commands without response
// data: DBG_HALT_AFTER_RESET, DBG_SET_HWIO_EVENT, DBG_EXCLUSIVE_TARGET_ACCESS,
// DBG_WRITE*, DBG_READ_CAN1.
type Ack struct{}

// Append encodes the response.
func (Ack) Append(b []byte, _ xcp.Format) []byte { return append(b, xcp.PIDRes) }

// Decode decodes the response.
func (*Ack) Decode(p []byte, _ xcp.Format) error { return checkRes(p, "positive response", 1) }
