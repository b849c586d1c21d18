package slaveinfo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Report is everything Gather found out about the slave. Optional parts
// the slave does not implement carry a NotSupported reason instead of data.
type Report struct {
	Transport Transport  `json:"transport"`
	Connect   Connect    `json:"connect"`
	Version   *Version   `json:"version,omitempty"`
	CommMode  *CommMode  `json:"comm_mode,omitempty"`
	Status    Status     `json:"status"`
	IDs       []ID       `json:"ids,omitempty"`
	DAQ       *DAQ       `json:"daq,omitempty"`
	PAG       *PAG       `json:"pag,omitempty"`
	PGM       *PGM       `json:"pgm,omitempty"`
	Skipped   []string   `json:"skipped,omitempty"` // parts left out by flags
	Notes     []string   `json:"notes,omitempty"`   // optional commands the slave lacks
	Errors    []CmdError `json:"errors,omitempty"`  // optional commands that failed
}

// Transport describes the connection.
type Transport struct {
	Kind   string `json:"kind"`
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

// Connect is the CONNECT response.
type Connect struct {
	Resources        []string `json:"resources"` // CAL/PAG, DAQ, STIM, PGM, DBG
	ByteOrder        string   `json:"byte_order"`
	AddressGranule   int      `json:"address_granularity"` // bytes per address
	SlaveBlockMode   bool     `json:"slave_block_mode"`
	OptionalCommMode bool     `json:"optional_comm_mode"`
	MaxCTO           int      `json:"max_cto"`
	MaxDTO           int      `json:"max_dto"`
	ProtocolLayer    int      `json:"protocol_layer_version"`
	TransportLayer   int      `json:"transport_layer_version"`
}

// Version is the GET_VERSION response.
type Version struct {
	NotSupported string `json:"not_supported,omitempty"`
	Protocol     string `json:"protocol,omitempty"`  // "1.5"
	Transport    string `json:"transport,omitempty"` // "1.5"
}

// CommMode is the GET_COMM_MODE_INFO response.
type CommMode struct {
	NotSupported    string `json:"not_supported,omitempty"`
	MasterBlockMode bool   `json:"master_block_mode"`
	Interleaved     bool   `json:"interleaved_mode"`
	MaxBS           int    `json:"max_bs"`
	MinSTMicros     int    `json:"min_st_us"`
	QueueSize       int    `json:"queue_size"`
	DriverVersion   string `json:"driver_version"`
}

// Status is the GET_STATUS response.
type Status struct {
	Session         string     `json:"session"`
	SessionBits     uint8      `json:"session_bits"`
	Protection      Protection `json:"protected"` // resource → locked
	StateNumber     int        `json:"state_number"`
	SessionConfigID int        `json:"session_config_id"`
}

// ID is one GET_ID identification.
type ID struct {
	Type         uint8  `json:"type"`
	Name         string `json:"name"`
	NotSupported string `json:"not_supported,omitempty"`
	Length       uint32 `json:"length"`
	Value        string `json:"value,omitempty"`
	Inline       bool   `json:"inline"`
}

// PAG is the calibration paging information.
type PAG struct {
	NotSupported    string    `json:"not_supported,omitempty"`
	MaxSegments     int       `json:"max_segments"`
	FreezeSupported bool      `json:"freeze_supported"`
	Segments        []Segment `json:"segments,omitempty"`
}

// Segment is one calibration segment.
type Segment struct {
	Number     int    `json:"number"`
	Address    uint32 `json:"address"`
	Length     uint32 `json:"length"`
	Ext        int    `json:"ext"`
	Pages      []Page `json:"pages"`
	MaxMapping int    `json:"max_mapping"`
	ECUPage    *int   `json:"ecu_page,omitempty"`
	XCPPage    *int   `json:"xcp_page,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Page is one page of a segment.
type Page struct {
	Number      int    `json:"number"`
	Properties  uint8  `json:"properties"`
	Access      string `json:"access"`
	InitSegment int    `json:"init_segment"`
}

// PGM is the flash programming information.
type PGM struct {
	NotSupported string   `json:"not_supported,omitempty"`
	Properties   uint8    `json:"properties"`
	MaxSectors   int      `json:"max_sectors"`
	Sectors      []Sector `json:"sectors,omitempty"`
}

// Sector is one flash sector.
type Sector struct {
	Number          int    `json:"number"`
	Address         uint32 `json:"address"`
	Length          uint32 `json:"length"`
	ClearSequence   int    `json:"clear_sequence"`
	ProgramSequence int    `json:"program_sequence"`
	Method          int    `json:"method"`
	Error           string `json:"error,omitempty"`
}

// CmdError is an optional command that failed with an XCP error other than
// "unknown command".
type CmdError struct {
	Part  string `json:"part"`
	Error string `json:"error"`
}

// Session is what Gather needs from a connected master; *master.Master
// satisfies it. Do sends one command packet and returns the positive
// response (a negative one as *xcp.Error); Upload reads elements from the
// MTA the slave set.
type Session interface {
	ConnectInfo() xcp.ConnectResponse
	Format() xcp.Format
	Do(ctx context.Context, req []byte) ([]byte, error)
	Upload(ctx context.Context, elements int) ([]byte, error)
}

// optional classifies the error of an optional command: nil if it
// succeeded; a "not supported" reason (and nil error) if the slave does not
// implement it; otherwise the error. Only negative responses of the slave
// are tolerated — timeouts and broken connections are returned.
func optional(err error) (notSupported string, fatal error) {
	if err == nil {
		return "", nil
	}
	if errors.Is(err, xcp.ErrCmdUnknown) || errors.Is(err, xcp.ErrSubcmdUnknown) {
		var xe *xcp.Error
		if errors.As(err, &xe) {
			return fmt.Sprintf("not supported (%s answered %s)", xe.Cmd, xe.Code.Name()), nil
		}
		return "not supported", nil
	}
	return "", err
}

// do sends req (built with the session format) and decodes the positive
// response into resp.
func do(ctx context.Context, s Session, req interface {
	Append([]byte, xcp.Format) []byte
}, resp interface {
	Decode([]byte, xcp.Format) error
}) error {
	f := s.Format()
	p, err := s.Do(ctx, req.Append(nil, f))
	if err != nil {
		return err
	}
	return resp.Decode(p, f)
}

// Protection says per resource (by its name in the standard: "CAL/PAG",
// "DAQ", "STIM", "PGM", "DBG") whether it is locked. In JSON the names are
// snake_case keys like every other key goxcp writes ("cal_pag", "daq").
type Protection map[string]bool

// MarshalJSON writes the resource names as snake_case keys.
func (p Protection) MarshalJSON() ([]byte, error) {
	m := make(map[string]bool, len(p))
	for k, v := range p {
		m[strings.ReplaceAll(strings.ToLower(k), "/", "_")] = v
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the snake_case keys MarshalJSON writes back into
// the resource names.
func (p *Protection) UnmarshalJSON(b []byte) error {
	var m map[string]bool
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = make(Protection, len(m))
	for k, v := range m {
		(*p)[strings.ReplaceAll(strings.ToUpper(k), "_", "/")] = v
	}
	return nil
}
