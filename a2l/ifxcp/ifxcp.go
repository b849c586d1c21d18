// Package ifxcp decodes the IF_DATA XCP blocks of an A2L file (grammar:
// ASAM XCP 1.4 A2ML, XCP_104.aml) into settings a master can use: the
// PROTOCOL_LAYER (XCP version, timeouts T1..T7, MAX_CTO/MAX_DTO, byte order,
// address granularity, optional commands), the DAQ block with its EVENTs and
// timestamp properties, the transport layers XCP_ON_TCP_IP, XCP_ON_UDP_IP,
// XCP_ON_CAN and XCP_ON_SxI, the SEGMENTs of MEMORY_SEGMENTs, and the
// DAQ_EVENT lists of measurements.
package ifxcp

import (
	"fmt"
	"strconv"
	"time"

	"github.com/goxcp/goxcp/a2l"
)

// XCP is the decoded module-level IF_DATA XCP.
type XCP struct {
	Protocol   *ProtocolLayer `json:"protocol,omitempty"` // nil if absent
	DAQ        *DAQ           `json:"daq,omitempty"`      // nil if absent
	PAG        *PAG           `json:"pag,omitempty"`
	PGM        *PGM           `json:"pgm,omitempty"`
	Transports []*Transport   `json:"transports"`
}

// ProtocolLayer is the PROTOCOL_LAYER block.
type ProtocolLayer struct {
	Version            uint16           `json:"version"` // e.g. 0x0104
	T                  [7]time.Duration `json:"t_ns"`    // T1..T7
	MaxCTO             int              `json:"max_cto"`
	MaxDTO             int              `json:"max_dto"`
	ByteOrder          a2l.ByteOrder    `json:"byte_order"`          // BYTE_ORDER_MSB_LAST / _MSB_FIRST
	AddressGranularity int              `json:"address_granularity"` // 1, 2 or 4
	OptionalCmds       []string         `json:"optional_cmds"`
	OptionalLevel1Cmds []string         `json:"optional_level1_cmds"`
	MaxDTOStim         int              `json:"max_dto_stim"`
	SeedKeyFunction    string           `json:"seed_key_function"`
	CommModeBlock      bool             `json:"comm_mode_block"`
	MaxBS              int              `json:"max_bs"` // COMMUNICATION_MODE_SUPPORTED BLOCK MASTER
	MinST              int              `json:"min_st"`
	Interleaved        int              `json:"interleaved"` // queue size, 0 = not supported
}

// Timeout returns Tn (1..7).
func (p *ProtocolLayer) Timeout(n int) time.Duration { return p.T[n-1] }

// DAQ is the DAQ block.
type DAQ struct {
	Dynamic             bool       `json:"dynamic"`
	MaxDAQ              int        `json:"max_daq"`
	MaxEventChannels    int        `json:"max_event_channels"`
	MinDAQ              int        `json:"min_daq"`
	Optimisation        string     `json:"optimisation"`
	AddressExtension    string     `json:"address_extension"`     // ADDRESS_EXTENSION_FREE / _ODT / _DAQ
	IdentificationField string     `json:"identification_field"`  // IDENTIFICATION_FIELD_TYPE_...
	ODTEntryGranularity int        `json:"odt_entry_granularity"` // bytes
	MaxODTEntrySize     int        `json:"max_odt_entry_size"`
	OverloadIndication  string     `json:"overload_indication"`
	PrescalerSupported  bool       `json:"prescaler_supported"`
	ResumeSupported     bool       `json:"resume_supported"`
	StoreDAQSupported   bool       `json:"store_daq_supported"`
	PIDOffSupported     bool       `json:"pid_off_supported"`
	Timestamp           *Timestamp `json:"timestamp,omitempty"`
	Events              []*Event   `json:"events"`
	DAQLists            []*DAQList `json:"daq_lists"`
}

// Timestamp is TIMESTAMP_SUPPORTED.
type Timestamp struct {
	TicksPerUnit int           `json:"ticks_per_unit"`
	Size         int           `json:"size"` // bytes: 0, 1, 2 or 4
	Unit         string        `json:"unit"` // UNIT_1NS ...
	Tick         time.Duration `json:"tick_ns"`
	Fixed        bool          `json:"fixed"`
}

// Event is one EVENT of the DAQ block.
type Event struct {
	Name        string        `json:"name"`
	ShortName   string        `json:"short_name"`
	Channel     uint16        `json:"channel"`
	Direction   string        `json:"direction"` // DAQ, STIM, DAQ_STIM
	MaxDAQList  int           `json:"max_daq_list"`
	TimeCycle   int           `json:"time_cycle"`
	TimeUnit    int           `json:"time_unit"` // 0 = 1 ns ... 9 = 1 s (as GET_DAQ_EVENT_INFO)
	Period      time.Duration `json:"period_ns"` // TimeCycle × TimeUnit (0 = not cyclic)
	Priority    int           `json:"priority"`
	Consistency string        `json:"consistency"`
}

// DAQList is a DAQ_LIST (static or predefined).
type DAQList struct {
	Number        int    `json:"number"`
	Type          string `json:"type"`
	MaxODT        int    `json:"max_odt"`
	MaxODTEntries int    `json:"max_odt_entries"`
	FirstPID      int    `json:"first_pid"`
	EventFixed    int    `json:"event_fixed"` // -1 if not fixed
}

// PAG is the PAG block.
type PAG struct {
	MaxSegments     int  `json:"max_segments"`
	FreezeSupported bool `json:"freeze_supported"`
}

// PGM is the PGM block.
type PGM struct {
	Mode       string `json:"mode"`
	MaxSectors int    `json:"max_sectors"`
	MaxCTOPGM  int    `json:"max_cto_pgm"`
}

// Transport is one XCP_ON_xxx block.
type Transport struct {
	Kind    string `json:"kind"` // TCP_IP, UDP_IP, CAN, SxI
	Version uint16 `json:"version"`
	// Ethernet
	Port    int              `json:"port"`
	Host    string           `json:"host"` // HOST_NAME, ADDRESS or IPV6
	IPv6    bool             `json:"ipv6"`
	Options map[string]int64 `json:"options"` // further numeric tags (MAX_BUS_LOAD, ...)
	// CAN
	CANIDBroadcast uint32 `json:"can_id_broadcast"`
	CANIDMaster    uint32 `json:"can_id_master"`
	CANIDSlave     uint32 `json:"can_id_slave"`
	HasBroadcast   bool   `json:"has_broadcast"`
	Baudrate       uint32 `json:"baudrate"`
	SamplePoint    int    `json:"sample_point"`
	MaxDLCRequired bool   `json:"max_dlc_required"`
	CANFD          *CANFD `json:"can_fd,omitempty"`
	// SxI
	Parity       string         `json:"parity"`
	StopBits     int            `json:"stop_bits"`
	HeaderLen    string         `json:"header_len"`
	Checksum     string         `json:"checksum"`
	Protocol     *ProtocolLayer `json:"protocol,omitempty"` // PROTOCOL_LAYER overriding the module's, if any
	DAQ          *DAQ           `json:"daq,omitempty"`
	Unrecognised []string       `json:"unrecognised"`
}

// CANFD is the CAN_FD block of XCP_ON_CAN.
type CANFD struct {
	MaxDLC       int    `json:"max_dlc"`
	DataBaudrate uint32 `json:"data_baudrate"`
}

// Decode decodes the module's IF_DATA XCP (nil, nil if there is none).
func Decode(m *a2l.Module) (*XCP, error) {
	var x *XCP
	for _, d := range m.IfData {
		if d.Name != "XCP" && d.Name != "XCPplus" {
			continue
		}
		n, err := d.Parse()
		if err != nil {
			return nil, fmt.Errorf("ifxcp: %w", err)
		}
		if x == nil {
			x = &XCP{}
		}
		if err := x.decode(n); err != nil {
			return nil, fmt.Errorf("ifxcp: %w", err)
		}
	}
	return x, nil
}

func (x *XCP) decode(n *a2l.Node) (err error) {
	defer catch(&err)
	for _, it := range n.Items {
		b := it.Block
		if b == nil {
			continue // XCPplus version number etc.
		}
		switch b.Name {
		case "PROTOCOL_LAYER":
			x.Protocol = protocolLayer(b)
		case "DAQ":
			x.DAQ = daq(b)
		case "PAG":
			c := newCursor(b)
			x.PAG = &PAG{MaxSegments: c.int("MAX_SEGMENTS")}
			for c.more() {
				if c.tag() == "FREEZE_SUPPORTED" {
					x.PAG.FreezeSupported = true
				}
			}
		case "PGM":
			c := newCursor(b)
			x.PGM = &PGM{Mode: c.ident("PGM mode"), MaxSectors: c.int("MAX_SECTOR"), MaxCTOPGM: c.int("MAX_CTO_PGM")}
		case "XCP_ON_TCP_IP", "XCP_ON_UDP_IP", "XCP_ON_CAN", "XCP_ON_SxI":
			x.Transports = append(x.Transports, transport(b))
		}
	}
	return nil
}

// Transport returns the first transport of the given kind (TCP_IP, UDP_IP,
// CAN, SxI), or nil.
func (x *XCP) Transport(kind string) *Transport {
	for _, t := range x.Transports {
		if t.Kind == kind {
			return t
		}
	}
	return nil
}

// Event returns the EVENT with the given name (or short name), or nil.
func (d *DAQ) Event(name string) *Event {
	for _, e := range d.Events {
		if e.Name == name || e.ShortName == name {
			return e
		}
	}
	return nil
}

// timeUnit returns the duration of GET_DAQ_EVENT_INFO / A2L time unit u.
func timeUnit(u int) time.Duration {
	switch {
	case u >= 0 && u <= 9:
		d := time.Duration(1)
		for i := 0; i < u; i++ {
			d *= 10
		}
		return d
	}
	return 0
}

var tsUnits = map[string]time.Duration{
	"UNIT_1NS": 1, "UNIT_10NS": 10, "UNIT_100NS": 100, "UNIT_1US": time.Microsecond,
	"UNIT_10US": 10 * time.Microsecond, "UNIT_100US": 100 * time.Microsecond, "UNIT_1MS": time.Millisecond,
	"UNIT_10MS": 10 * time.Millisecond, "UNIT_100MS": 100 * time.Millisecond, "UNIT_1S": time.Second,
	"UNIT_1PS": 0, "UNIT_10PS": 0, "UNIT_100PS": 0,
}

func protocolLayer(b *a2l.Node) *ProtocolLayer {
	c := newCursor(b)
	p := &ProtocolLayer{Version: uint16(c.int("XCP protocol layer version"))}
	for i := range p.T {
		p.T[i] = time.Duration(c.int("T"+strconv.Itoa(i+1))) * time.Millisecond
	}
	p.MaxCTO = c.int("MAX_CTO")
	p.MaxDTO = c.int("MAX_DTO")
	switch bo := c.ident("byte order"); bo {
	case "BYTE_ORDER_MSB_LAST":
		p.ByteOrder = a2l.MSBLast
	case "BYTE_ORDER_MSB_FIRST":
		p.ByteOrder = a2l.MSBFirst
	default:
		c.failf("expected BYTE_ORDER_MSB_LAST or BYTE_ORDER_MSB_FIRST, found %s", bo)
	}
	switch ag := c.ident("address granularity"); ag {
	case "ADDRESS_GRANULARITY_BYTE":
		p.AddressGranularity = 1
	case "ADDRESS_GRANULARITY_WORD":
		p.AddressGranularity = 2
	case "ADDRESS_GRANULARITY_DWORD":
		p.AddressGranularity = 4
	default:
		c.failf("expected ADDRESS_GRANULARITY_BYTE, _WORD or _DWORD, found %s", ag)
	}
	for c.more() {
		if blk := c.block(); blk != nil {
			continue // ECU_STATES
		}
		switch tag := c.tag(); tag {
		case "OPTIONAL_CMD":
			p.OptionalCmds = append(p.OptionalCmds, c.ident("command"))
		case "OPTIONAL_LEVEL1_CMD":
			p.OptionalLevel1Cmds = append(p.OptionalLevel1Cmds, c.ident("command"))
		case "MAX_DTO_STIM":
			p.MaxDTOStim = c.int("MAX_DTO_STIM")
		case "SEED_AND_KEY_EXTERNAL_FUNCTION":
			p.SeedKeyFunction = c.str("function name")
		case "COMMUNICATION_MODE_SUPPORTED":
			// taggedunion BLOCK { SLAVE; MASTER maxbs minst } | INTERLEAVED n
		modes:
			for c.more() {
				switch c.peekIdent() {
				case "BLOCK":
					c.tag()
					p.CommModeBlock = true
				case "SLAVE":
					c.tag()
				case "MASTER":
					c.tag()
					p.MaxBS, p.MinST = c.int("MAX_BS"), c.int("MIN_ST")
				case "INTERLEAVED":
					c.tag()
					p.Interleaved = c.int("QUEUE_SIZE")
				default:
					break modes
				}
			}
		default:
			c.skipUnknown()
		}
	}
	return p
}

func daq(b *a2l.Node) *DAQ {
	c := newCursor(b)
	d := &DAQ{}
	switch s := c.ident("STATIC or DYNAMIC"); s {
	case "DYNAMIC":
		d.Dynamic = true
	case "STATIC":
	default:
		c.failf("expected STATIC or DYNAMIC, found %s", s)
	}
	d.MaxDAQ = c.int("MAX_DAQ")
	d.MaxEventChannels = c.int("MAX_EVENT_CHANNEL")
	d.MinDAQ = c.int("MIN_DAQ")
	d.Optimisation = c.ident("optimisation type")
	d.AddressExtension = c.ident("address extension")
	d.IdentificationField = c.ident("identification field type")
	switch g := c.ident("ODT entry granularity"); g {
	case "GRANULARITY_ODT_ENTRY_SIZE_DAQ_BYTE":
		d.ODTEntryGranularity = 1
	case "GRANULARITY_ODT_ENTRY_SIZE_DAQ_WORD":
		d.ODTEntryGranularity = 2
	case "GRANULARITY_ODT_ENTRY_SIZE_DAQ_DWORD":
		d.ODTEntryGranularity = 4
	case "GRANULARITY_ODT_ENTRY_SIZE_DAQ_DLONG":
		d.ODTEntryGranularity = 8
	default:
		c.failf("expected GRANULARITY_ODT_ENTRY_SIZE_DAQ_*, found %s", g)
	}
	d.MaxODTEntrySize = c.int("MAX_ODT_ENTRY_SIZE_DAQ")
	d.OverloadIndication = c.ident("overload indication")
	for c.more() {
		if blk := c.block(); blk != nil {
			switch blk.Name {
			case "TIMESTAMP_SUPPORTED":
				bc := newCursor(blk)
				ts := &Timestamp{TicksPerUnit: bc.int("TIMESTAMP_TICKS")}
				switch sz := bc.ident("timestamp size"); sz {
				case "NO_TIME_STAMP":
				case "SIZE_BYTE":
					ts.Size = 1
				case "SIZE_WORD":
					ts.Size = 2
				case "SIZE_DWORD":
					ts.Size = 4
				default:
					bc.failf("expected timestamp size, found %s", sz)
				}
				ts.Unit = bc.ident("timestamp unit")
				u, ok := tsUnits[ts.Unit]
				if !ok {
					bc.failf("unknown timestamp unit %s", ts.Unit)
				}
				ts.Tick = u * time.Duration(ts.TicksPerUnit)
				for bc.more() {
					if bc.tag() == "TIMESTAMP_FIXED" {
						ts.Fixed = true
					}
				}
				d.Timestamp = ts
			case "EVENT":
				d.Events = append(d.Events, event(blk))
			case "DAQ_LIST":
				d.DAQLists = append(d.DAQLists, daqList(blk))
			}
			continue
		}
		switch tag := c.tag(); tag {
		case "PRESCALER_SUPPORTED":
			d.PrescalerSupported = true
		case "RESUME_SUPPORTED":
			d.ResumeSupported = true
		case "STORE_DAQ_SUPPORTED":
			d.StoreDAQSupported = true
		case "PID_OFF_SUPPORTED":
			d.PIDOffSupported = true
		default:
			c.skipUnknown()
		}
	}
	return d
}

func event(b *a2l.Node) *Event {
	c := newCursor(b)
	e := &Event{Name: c.str("event name"), ShortName: c.str("short name"), Channel: uint16(c.int("event channel number"))}
	e.Direction = c.ident("DAQ, STIM or DAQ_STIM")
	e.MaxDAQList = c.int("MAX_DAQ_LIST")
	e.TimeCycle = c.int("time cycle")
	e.TimeUnit = c.int("time unit")
	e.Priority = c.int("priority")
	e.Period = time.Duration(e.TimeCycle) * timeUnit(e.TimeUnit)
	for c.more() {
		if c.block() != nil {
			continue
		}
		switch c.tag() {
		case "CONSISTENCY":
			e.Consistency = c.ident("consistency")
		default:
			c.skipUnknown()
		}
	}
	return e
}

func daqList(b *a2l.Node) *DAQList {
	c := newCursor(b)
	l := &DAQList{Number: c.int("DAQ list number"), EventFixed: -1}
	for c.more() {
		if c.block() != nil {
			continue
		}
		switch c.tag() {
		case "DAQ_LIST_TYPE":
			l.Type = c.ident("DAQ list type")
		case "MAX_ODT":
			l.MaxODT = c.int("MAX_ODT")
		case "MAX_ODT_ENTRIES":
			l.MaxODTEntries = c.int("MAX_ODT_ENTRIES")
		case "FIRST_PID":
			l.FirstPID = c.int("FIRST_PID")
		case "EVENT_FIXED":
			l.EventFixed = c.int("EVENT_FIXED")
		default:
			c.skipUnknown()
		}
	}
	return l
}

func transport(b *a2l.Node) *Transport {
	c := newCursor(b)
	t := &Transport{Kind: b.Name[len("XCP_ON_"):], Version: uint16(c.int("transport layer version")), Options: map[string]int64{}}
	switch t.Kind {
	case "TCP_IP", "UDP_IP":
		t.Port = c.int("port")
	case "SxI":
		t.Baudrate = uint32(c.int("baudrate"))
	}
	for c.more() {
		if blk := c.block(); blk != nil {
			switch blk.Name {
			case "PROTOCOL_LAYER":
				t.Protocol = protocolLayer(blk)
			case "DAQ":
				t.DAQ = daq(blk)
			case "CAN_FD":
				fc := newCursor(blk)
				t.CANFD = &CANFD{}
				for fc.more() {
					switch fc.tag() {
					case "MAX_DLC":
						t.CANFD.MaxDLC = fc.int("MAX_DLC")
					case "CAN_FD_DATA_TRANSFER_BAUDRATE":
						t.CANFD.DataBaudrate = uint32(fc.int("baudrate"))
					default:
						fc.skipUnknown()
					}
				}
			}
			continue
		}
		if c.peekKind() != a2l.TokIdent {
			c.failf("unexpected value %s in %s", c.peekText(), b.Name)
		}
		tag := c.tag()
		switch tag {
		case "HOST_NAME", "ADDRESS":
			t.Host = c.str(tag)
		case "IPV6":
			t.Host, t.IPv6 = c.str(tag), true
		case "CAN_ID_BROADCAST":
			t.CANIDBroadcast, t.HasBroadcast = uint32(c.int(tag)), true
		case "CAN_ID_MASTER":
			t.CANIDMaster = uint32(c.int(tag))
		case "CAN_ID_SLAVE":
			t.CANIDSlave = uint32(c.int(tag))
		case "BAUDRATE":
			t.Baudrate = uint32(c.int(tag))
		case "SAMPLE_POINT":
			t.SamplePoint = c.int(tag)
		case "MAX_DLC_REQUIRED":
			t.MaxDLCRequired = true
		case "ASYNCH_FULL_DUPLEX_MODE":
			t.Parity = c.ident("parity")
			switch c.ident("stop bits") {
			case "TWO_STOP_BITS":
				t.StopBits = 2
			default:
				t.StopBits = 1
			}
		case "HEADER_LEN_BYTE", "HEADER_LEN_CTR_BYTE", "HEADER_LEN_FILL_BYTE", "HEADER_LEN_WORD", "HEADER_LEN_CTR_WORD", "HEADER_LEN_FILL_WORD":
			t.HeaderLen = tag
		case "NO_CHECKSUM", "CHECKSUM_BYTE", "CHECKSUM_WORD":
			t.Checksum = tag
		default:
			if c.peekKind() == a2l.TokNumber {
				t.Options[tag] = int64(c.int(tag))
			} else {
				t.Unrecognised = append(t.Unrecognised, tag)
				c.skipUnknown()
			}
		}
	}
	return t
}
