package xcp

// Packet identifiers of slave→master CTO packets. Every PID below PIDServ
// identifies a DTO (a DAQ packet; the value is an ODT number or, with
// relative ODT numbering, the first byte of the identification field).
const (
	PIDRes  byte = 0xFF // positive command response
	PIDErr  byte = 0xFE // negative command response (error)
	PIDEv   byte = 0xFD // event
	PIDServ byte = 0xFC // service request
)

// PacketKind classifies a packet received from a slave by its first byte.
type PacketKind uint8

// Packet kinds, see Classify.
const (
	KindDTO  PacketKind = iota // DAQ data (PID < 0xFC)
	KindRes                    // positive response
	KindErr                    // error response
	KindEv                     // event
	KindServ                   // service request
)

var kindNames = [...]string{"DTO", "RES", "ERR", "EV", "SERV"}

// String returns the PacketKind's name as the specification spells it.
func (k PacketKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "PacketKind(?)"
}

// Classify returns the kind of a slave→master packet from its PID.
func Classify(pid byte) PacketKind {
	switch pid {
	case PIDRes:
		return KindRes
	case PIDErr:
		return KindErr
	case PIDEv:
		return KindEv
	case PIDServ:
		return KindServ
	}
	return KindDTO
}
