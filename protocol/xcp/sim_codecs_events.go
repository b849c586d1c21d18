package xcp

// Encoders for the packets a slave sends on its own (added for the
// simulator; the decoders are DecodeEvent and DecodeServiceRequest).

// Append encodes the EV packet: PID 0xFD, the event code, then Data.
func (e Event) Append(b []byte, _ Format) []byte {
	return append(append(b, PIDEv, byte(e.Code)), e.Data...)
}

// Append encodes the SERV packet: PID 0xFC, the service request code, then
// Data (for SERV_TEXT the text).
func (r ServiceRequest) Append(b []byte, _ Format) []byte {
	return append(append(b, PIDServ, byte(r.Code)), r.Data...)
}
