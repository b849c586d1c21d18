package mdf4

import "time"

// Header is the file header (HD block) and its comment.
type Header struct {
	// Start is the absolute start time of the measurement: time 0 of every
	// time master channel. Its location's offset at Start is stored as the
	// time zone offset (daylight saving time folded into it).
	Start time.Time
	// Comment is the HD comment text.
	Comment string
	// Properties are the header's common properties (MD <e name=…>),
	// e.g. the ECU identification, in order.
	Properties []Property
}

// Property is one name/value pair of a comment's common properties.
type Property struct{ Name, Value string }

// History is one file history entry (FH block): which tool changed the
// file when.
type History struct {
	Time    time.Time
	Tool    string // tool_id
	Vendor  string // tool_vendor
	Version string // tool_version
	User    string // user_name
	Comment string
}

// SourceType is si_type of an SI block.
type SourceType uint8

// Source types.
const (
	SourceOther SourceType = 0
	SourceECU   SourceType = 1
	SourceBus   SourceType = 2
	SourceIO    SourceType = 3
	SourceTool  SourceType = 4
	SourceUser  SourceType = 5
)

// BusType is si_bus_type of an SI block.
type BusType uint8

// Bus types.
const (
	BusNone     BusType = 0
	BusOther    BusType = 1
	BusCAN      BusType = 2
	BusLIN      BusType = 3
	BusMOST     BusType = 4
	BusFlexRay  BusType = 5
	BusKLine    BusType = 6
	BusEthernet BusType = 7
	BusUSB      BusType = 8
)

// Source describes where data came from (SI block): for goxcp the ECU
// (its identification, the A2L project, the transport as path). Several
// groups may share one *Source; the writer stores it once.
type Source struct {
	Name    string // si_tx_name
	Path    string // si_tx_path
	Comment string
	// Properties are stored in the comment's common properties.
	Properties []Property
	Type       SourceType
	Bus        BusType
	Simulated  bool // si_flags bit 0
}

// EventType is ev_type of an EV block.
type EventType uint8

// Event types.
const (
	EventRecording           EventType = 0 // recording period
	EventRecordingInterrupt  EventType = 1 // recording interrupted
	EventAcquisitionInterrup EventType = 2 // acquisition interrupted (data lost)
	EventStartTrigger        EventType = 3
	EventStopTrigger         EventType = 4
	EventTrigger             EventType = 5
	EventMarker              EventType = 6
)

// RangeType is ev_range_type: a point in time or the begin/end of a range.
type RangeType uint8

// Range types.
const (
	RangePoint RangeType = 0
	RangeBegin RangeType = 1
	RangeEnd   RangeType = 2
)

// EventCause is ev_cause.
type EventCause uint8

// Event causes.
const (
	CauseOther  EventCause = 0
	CauseError  EventCause = 1
	CauseTool   EventCause = 2
	CauseScript EventCause = 3
	CauseUser   EventCause = 4
)

// Event is one EV block: a marker or a range (begin and end events, the
// end linking its begin) on the time axis, in seconds from Header.Start.
type Event struct {
	Name    string
	Comment string
	Type    EventType
	Range   RangeType
	Cause   EventCause
	Time    float64 // seconds (sync type time)
	// Groups are the indices (in File.Groups / the writer's AddGroup
	// order) of the channel groups the event applies to; empty: the whole
	// file.
	Groups []int
	// Begin is, for a RangeEnd event, the index of its RangeBegin event in
	// the same event list; -1 otherwise.
	Begin int
}

// ChannelType is cn_type.
type ChannelType uint8

// Channel types.
const (
	ChannelFixed         ChannelType = 0
	ChannelVLSD          ChannelType = 1
	ChannelMaster        ChannelType = 2
	ChannelVirtualMaster ChannelType = 3
	ChannelSync          ChannelType = 4
	ChannelMLSD          ChannelType = 5
	ChannelVirtualData   ChannelType = 6
)

// SyncType is cn_sync_type.
type SyncType uint8

// Sync types.
const (
	SyncNone     SyncType = 0
	SyncTime     SyncType = 1
	SyncAngle    SyncType = 2
	SyncDistance SyncType = 3
	SyncIndex    SyncType = 4
)

// DataType is cn_data_type.
type DataType uint8

// Data types.
const (
	UintLE       DataType = 0
	UintBE       DataType = 1
	IntLE        DataType = 2
	IntBE        DataType = 3
	FloatLE      DataType = 4
	FloatBE      DataType = 5
	StringLatin1 DataType = 6
	StringUTF8   DataType = 7
	StringUTF16L DataType = 8
	StringUTF16B DataType = 9
	ByteArray    DataType = 10
	MIMESample   DataType = 11
	MIMEStream   DataType = 12
	CANopenDate  DataType = 13
	CANopenTime  DataType = 14
	ComplexLE    DataType = 15
	ComplexBE    DataType = 16
)

// Numeric reports whether values of t are integers or floats.
func (t DataType) Numeric() bool { return t <= FloatBE }

// BigEndian reports whether t is a big-endian (Motorola) type.
func (t DataType) BigEndian() bool {
	return t == UintBE || t == IntBE || t == FloatBE || t == StringUTF16B || t == ComplexBE
}

// Channel flags (cn_flags).
const (
	FlagAllInvalid   = 1 << 0
	FlagInvalBit     = 1 << 1
	FlagPrecision    = 1 << 2
	FlagValueRange   = 1 << 3
	FlagLimits       = 1 << 4
	FlagExtLimits    = 1 << 5
	FlagDiscrete     = 1 << 6
	FlagCalibration  = 1 << 7
	FlagCalculated   = 1 << 8
	FlagVirtual      = 1 << 9
	FlagBusEvent     = 1 << 10
	FlagMonotonous   = 1 << 11
	FlagDefaultXAxis = 1 << 12
)

// Range is a closed interval [Min, Max].
type Range struct{ Min, Max float64 }

// Channel is one CN block: a signal stored in the records of its group.
type Channel struct {
	Name    string
	Unit    string
	Comment string
	Source  *Source

	Type     ChannelType
	Sync     SyncType
	DataType DataType
	// ByteOffset and BitOffset (0…7) locate the value in the record after
	// the record ID; BitCount is its width in bits.
	ByteOffset uint32
	BitOffset  uint8
	BitCount   uint32
	// Flags are cn_flags; the writer sets the bits for the fields below.
	Flags uint32
	// InvalBit is the position of the invalidation bit in the record's
	// invalidation bytes (used if Flags has FlagInvalBit).
	InvalBit  uint32
	Precision uint8 // decimal places for display (FlagPrecision)

	ValueRange *Range // cn_val_range (FlagValueRange)
	Limits     *Range // cn_limit (FlagLimits)
	ExtLimits  *Range // cn_limit_ext (FlagExtLimits)

	// Conversion turns the raw value into the physical one; nil: identity.
	Conversion *Conversion

	off int64
	acc accessor
}

// ChannelGroup is one CG block (with its data group when read): a record
// layout and its channels.
type ChannelGroup struct {
	// Name is the acquisition name (cg_tx_acq_name), e.g. the DAQ list.
	Name    string
	Comment string
	Source  *Source // acquisition source
	// Channels in the order of the CN chain; Master is the time master
	// channel (nil if none).
	Channels []*Channel
	Master   *Channel

	RecordID   uint64 // cg_record_id (unsorted data groups)
	Samples    uint64 // cg_cycle_count
	Flags      uint16 // cg_flags
	DataBytes  uint32 // record data bytes (without record ID)
	InvalBytes uint32 // invalidation bytes after the data

	dg     *dataGroup
	off    int64
	remote uint64          // cg_cg_master (column-oriented MDF 4.2)
	parts  []*ChannelGroup // a column-oriented group: master group, then columns
}

// dataGroup is a DG block as read.
type dataGroup struct {
	recIDSize int
	data      uint64 // link to DT, DZ, DL, HL or 0
	groups    []*ChannelGroup
	off       int64
}
