package record

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
)

// Metadata of versions 1 and 2 (goxcp up to 2026-12): camelCase keys, the
// byte order with the slave, the identification field as "idField".
type metaV2 struct {
	Version int       `json:"version"`
	Tool    string    `json:"tool"`
	Start   time.Time `json:"start"`
	Slave   struct {
		Transport          string            `json:"transport"`
		Address            string            `json:"address"`
		ByteOrder          string            `json:"byteOrder"`          // old key
		AddressGranularity int               `json:"addressGranularity"` // old key
		MaxCTO             int               `json:"maxCto"`             // old key
		MaxDTO             int               `json:"maxDto"`             // old key
		ProtocolVersion    int               `json:"protocolVersion"`    // old key
		TransportVersion   int               `json:"transportVersion"`   // old key
		Identifier         string            `json:"identifier"`
		Properties         map[string]string `json:"properties"`
	} `json:"slave"`
	DAQ struct {
		IDField         string  `json:"idField"`         // old key
		TimestampSize   int     `json:"timestampSize"`   // old key
		TimestampTickNS float64 `json:"timestampTickNs"` // old key
		OverloadMSB     bool    `json:"overloadPidMsb"`  // old key
		Lists           []struct {
			Name         string `json:"name"`
			Number       int    `json:"number"`
			Event        int    `json:"event"`
			EventName    string `json:"eventName"` // old key
			Prescaler    int    `json:"prescaler"`
			Priority     int    `json:"priority"`
			Timestamps   bool   `json:"timestamps"`
			FirstPID     int    `json:"firstPid"` // old key
			ODTs         int    `json:"odts"`
			ODTBytes     []int  `json:"odtBytes"` // old key
			Measurements []struct {
				Name       string      `json:"name"`
				Type       dto.Type    `json:"type"`
				ODT        int         `json:"odt"`
				Offset     int         `json:"offset"`
				BitMask    uint64      `json:"bitMask"` // old key
				Address    uint32      `json:"address"`
				Extension  uint8       `json:"extension"`
				Unit       string      `json:"unit"`
				Conversion *compu.Spec `json:"conversion"`
				Comment    string      `json:"comment"`
				Limits     *Limits     `json:"limits"`
			} `json:"measurements"`
		} `json:"lists"`
	} `json:"daq"`
	Comment string `json:"comment"`
}

// readMetaV2 reads metadata of version 1 or 2 into today's Meta; values
// that do not fit today's types are errors, not truncated.
func readMetaV2(b []byte) (*Meta, error) {
	var o metaV2
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	m := &Meta{Version: o.Version, Tool: o.Tool, Start: o.Start, Comment: o.Comment}
	s := o.Slave
	m.Slave = Slave{Transport: s.Transport, Address: s.Address, ByteOrder: s.ByteOrder, AddressGranularity: s.AddressGranularity,
		MaxCTO: s.MaxCTO, MaxDTO: s.MaxDTO, ProtocolVersion: s.ProtocolVersion, TransportVersion: s.TransportVersion,
		Identifier: s.Identifier, Properties: s.Properties}
	d := o.DAQ
	if d.IDField != "" || len(d.Lists) > 0 {
		idf, err := dto.ParseIDField(d.IDField)
		if err != nil {
			return nil, err
		}
		m.DAQ.IDField = idf
	}
	m.DAQ.TimestampSize, m.DAQ.TimestampTickNS, m.DAQ.OverloadMSB = d.TimestampSize, d.TimestampTickNS, d.OverloadMSB
	for _, ol := range d.Lists {
		l := List{Name: ol.Name, EventName: ol.EventName, Timestamps: ol.Timestamps, ODTs: ol.ODTs, ODTBytes: ol.ODTBytes}
		for _, f := range []struct {
			what string
			v    int
			max  int
			to   func(int)
		}{
			{"number", ol.Number, 0xFFFF, func(v int) { l.Number = uint16(v) }},
			{"event", ol.Event, 0xFFFF, func(v int) { l.Event = uint16(v) }},
			{"prescaler", ol.Prescaler, 0xFF, func(v int) { l.Prescaler = uint8(v) }},
			{"priority", ol.Priority, 0xFF, func(v int) { l.Priority = uint8(v) }},
			{"first PID", ol.FirstPID, 0xFF, func(v int) { l.FirstPID = uint8(v) }},
		} {
			if f.v < 0 || f.v > f.max {
				return nil, fmt.Errorf("list %q: %s %d out of range 0..%d", ol.Name, f.what, f.v, f.max)
			}
			f.to(f.v)
		}
		for _, om := range ol.Measurements {
			l.Measurements = append(l.Measurements, Measurement{
				Measurement: dto.Measurement{Name: om.Name, Address: om.Address, Extension: om.Extension, Type: om.Type, BitMask: om.BitMask},
				ODT:         om.ODT, Offset: om.Offset, Unit: om.Unit, Conversion: om.Conversion, Comment: om.Comment, Limits: om.Limits})
		}
		m.DAQ.Lists = append(m.DAQ.Lists, l)
	}
	return m, nil
}
