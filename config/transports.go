package config

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// The [transport.can], [transport.sxi] and [transport.usb] sections:
//
//	[transport.can]
//	interface        = "udp"            # virtual | udp | socketcan | slcan | user
//	channel          = "239.74.67.1:43210"   # can0, /dev/ttyACM0, GROUP[@IFNAME]
//	can_id_master    = 0x7E1            # bit 31 set = 29-bit identifier
//	can_id_slave     = 0x7E2
//	can_id_broadcast = 0x7E0            # GET_SLAVE_ID (0 = none)
//	bitrate          = 500000
//	fd               = false            # CAN FD (with data_bitrate, brs, max_can_fd_dlc)
//	max_dlc_required = false            # pad every frame to 8 (FD: max_can_fd_dlc) bytes
//	padding_value    = 0
//	daq_identifier   = [0x7F0, 0x7F1]   # DAQ-list-specific identifiers
//	sample_point = 87.5  sjw_abr = 1  tseg1_abr = 13  tseg2_abr = 2   # bit timing (pyXCP names)
//	data_sample_point = 80  sjw_dbr = 1  tseg1_dbr = 3  tseg2_dbr = 1
//
//	[transport.sxi]
//	port          = "/dev/ttyUSB0"
//	bitrate       = 115200
//	parity        = "N"                 # N E O M S
//	stopbits      = 1
//	header_format = "HEADER_LEN_CTR_WORD"
//	tail_format   = "NO_CHECKSUM"       # CHECKSUM_BYTE | CHECKSUM_WORD
//	framing       = false               # XCP 1.5 SYNC/ESC framing
//
//	[transport.usb]
//	vendor_id = 0x1234   product_id = 0x5678
//	interface_number = 0  out_ep_number = 1  in_ep_number = 1
//
// A section is checked when its layer is selected or when it sets
// anything. Settings a connection cannot do without (the CAN identifiers
// and interface, the serial port, the USB ids) are checked when the
// connection is opened (RequireCAN, RequireSxi, RequireUsb), so that
// `xcp --sim -t can` works with an empty configuration.

func (t Transport) validateOthers() error {
	if t.Layer == "can" || !reflect.ValueOf(t.Can).IsZero() {
		if err := under("can", validateCAN(t.Can)); err != nil {
			return err
		}
	}
	if t.Layer == "sxi" || t.Sxi != (sxi.Config{}) {
		if err := under("sxi", validateSxi(t.Sxi)); err != nil {
			return err
		}
	}
	if t.Usb != (usb.Config{}) {
		if err := under("usb", validateUsb(t.Usb, false)); err != nil {
			return err
		}
	}
	return nil
}

// canInterfaces are the interface names of [transport.can] (the canbus
// package accepts the same; config does not import it).
var canInterfaces = map[string]bool{"virtual": true, "udp": true, "udpmcast": true, "udp-multicast": true, "udp_multicast": true,
	"socketcan": true, "slcan": true, "lawicel": true, "user": true}

// timingKeys maps the names can.Timing.Validate uses to file keys.
var timingKeys = map[string]string{"sample_point": "sample_point", "data_sample_point": "data_sample_point",
	"sjw": "sjw_abr", "tseg1": "tseg1_abr", "tseg2": "tseg2_abr", "data_sjw": "sjw_dbr", "data_tseg1": "tseg1_dbr", "data_tseg2": "tseg2_dbr"}

func validateCAN(c can.Config) error {
	if c.Interface != "" && !canInterfaces[strings.ToLower(c.Interface)] {
		return fieldErr("interface", "must be one of virtual, udp, socketcan, slcan, user, got %q", c.Interface)
	}
	for _, id := range []struct {
		key string
		v   uint32
	}{{"can_id_master", c.CanIDMaster}, {"can_id_slave", c.CanIDSlave}, {"can_id_broadcast", c.CanIDBroadcast}} {
		if _, err := can.ParseID(id.v); err != nil {
			return fieldErr(id.key, "%s", strings.TrimPrefix(err.Error(), "can: "))
		}
	}
	if c.CanIDMaster != 0 && c.CanIDMaster == c.CanIDSlave {
		return fieldErr("can_id_slave", "equals can_id_master (0x%X)", c.CanIDMaster)
	}
	if c.CanIDBroadcast != 0 && (c.CanIDBroadcast == c.CanIDMaster || c.CanIDBroadcast == c.CanIDSlave) {
		return fieldErr("can_id_broadcast", "equals can_id_master or can_id_slave (0x%X)", c.CanIDBroadcast)
	}
	for i, v := range c.DaqIdentifiers {
		if _, err := can.ParseID(v); err != nil {
			return fieldErr(fmt.Sprintf("daq_identifier[%d]", i), "%s", strings.TrimPrefix(err.Error(), "can: "))
		}
	}
	if c.Bitrate < 0 {
		return fieldErr("bitrate", "must not be negative, got %d", c.Bitrate)
	}
	if c.DataBitrate < 0 {
		return fieldErr("data_bitrate", "must not be negative, got %d", c.DataBitrate)
	}
	if c.BRS && !c.FD {
		return fieldErr("brs", "needs fd = true")
	}
	if err := c.Timing.Validate(); err != nil {
		msg := strings.TrimPrefix(err.Error(), "can: ")
		key, rest, _ := strings.Cut(msg, " ")
		return fieldErr(timingKeys[key], "%s", rest)
	}
	if c.MaxFDLen != 0 && (!c.FD || c.MaxFDLen < 8 || can.FDLen(c.MaxFDLen) != c.MaxFDLen) {
		return fieldErr("max_can_fd_dlc", "must be a CAN FD length 8, 12, 16, 20, 24, 32, 48 or 64 with fd = true, got %d", c.MaxFDLen)
	}
	return nil
}

// RequireCAN checks the settings a CAN connection needs: the interface
// and the command and response identifiers.
func (c *Config) RequireCAN() error {
	k := c.Transport.Can
	switch {
	case k.Interface == "":
		return &FieldError{File: c.File, Key: "transport.can.interface", Msg: "not set (virtual, udp, socketcan, slcan or user)"}
	case k.CanIDMaster == 0 && k.CanIDSlave == 0:
		return &FieldError{File: c.File, Key: "transport.can.can_id_master", Msg: "not set (can_id_master and can_id_slave are required for XCP on CAN)"}
	}
	if err := k.Validate(); err != nil {
		return &FieldError{File: c.File, Key: "transport.can", Msg: strings.TrimPrefix(err.Error(), "can: ")}
	}
	return nil
}

func validateSxi(c sxi.Config) error {
	if c.HeaderFormat != "" {
		if _, err := sxi.ParseHeaderFormat(c.HeaderFormat); err != nil {
			return fieldErr("header_format", "%s", strings.TrimPrefix(err.Error(), "sxi: "))
		}
	}
	if c.TailFormat != "" {
		if _, err := sxi.ParseTailFormat(c.TailFormat); err != nil {
			return fieldErr("tail_format", "%s", strings.TrimPrefix(err.Error(), "sxi: "))
		}
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"esc_sync", c.EscSync}, {"esc_esc", c.EscEsc}} {
		if k.v < 0 || k.v > 255 {
			return fieldErr(k.key, "must be 0..255, got %d", k.v)
		}
	}
	for _, k := range []struct {
		key string
		c   sxi.Config
	}{{"bitrate", sxi.Config{Bitrate: c.Bitrate}}, {"bytesize", sxi.Config{Bytesize: c.Bytesize}},
		{"parity", sxi.Config{Parity: c.Parity}}, {"stopbits", sxi.Config{Stopbits: c.Stopbits}}} {
		if _, err := k.c.Mode(); err != nil {
			return fieldErr(k.key, "%s", strings.TrimPrefix(err.Error(), "sxi: "))
		}
	}
	if c.MaxPacket < 0 {
		return fieldErr("max_packet", "must not be negative, got %d", c.MaxPacket)
	}
	if _, err := c.FramingOf(); err != nil {
		return fieldErr("framing", "%s", strings.TrimPrefix(err.Error(), "sxi: "))
	}
	return nil
}

// RequireSxi checks the settings an SxI connection needs: the port.
func (c *Config) RequireSxi() error {
	if c.Transport.Sxi.Port == "" {
		return &FieldError{File: c.File, Key: "transport.sxi.port", Msg: "not set (the serial device, e.g. /dev/ttyUSB0)"}
	}
	return nil
}

func validateUsb(c usb.Config, required bool) error {
	if c.HeaderFormat != "" {
		if _, err := sxi.ParseHeaderFormat(c.HeaderFormat); err != nil {
			return fieldErr("header_format", "%s", strings.TrimPrefix(err.Error(), "sxi: "))
		}
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"in_ep_number", c.InEndpoint}, {"out_ep_number", c.OutEndpoint}} {
		if k.v < 0 || k.v > 15 || (required && k.v == 0) {
			return fieldErr(k.key, "must be 1..15, got %d", k.v)
		}
	}
	if required && c.VendorID == 0 {
		return fieldErr("vendor_id", "not set")
	}
	if required && c.ProductID == 0 {
		return fieldErr("product_id", "not set")
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"interface_number", c.Interface}, {"configuration_number", c.Configuration}, {"max_transfer", c.MaxTransfer}} {
		if k.v < 0 {
			return fieldErr(k.key, "must not be negative, got %d", k.v)
		}
	}
	return nil
}

// RequireUsb checks the settings a USB connection needs: the device ids
// and the endpoints.
func (c *Config) RequireUsb() error {
	if err := under("transport.usb", validateUsb(c.Transport.Usb, true)); err != nil {
		if fe, ok := err.(*FieldError); ok {
			fe.File = c.File
		}
		return err
	}
	return nil
}
