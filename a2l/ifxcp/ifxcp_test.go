package ifxcp_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
	"github.com/goxcp/goxcp/a2l/ifxcp"
)

func load(t *testing.T, name string) *a2l.Module {
	t.Helper()
	f, err := a2l.ParseFile(filepath.Join(a2ltest.XCPlite(t), name), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f.Modules[0]
}

func TestXCPlite(t *testing.T) {
	m := load(t, "c_demo.a2l")
	x, err := ifxcp.Decode(m)
	if err != nil {
		t.Fatal(err)
	}
	p := x.Protocol
	if p == nil || p.Version != 0x104 || p.Timeout(1) != time.Second || p.Timeout(2) != 2*time.Second || p.MaxCTO != 248 || p.MaxDTO != 1024 || p.ByteOrder != a2l.MSBLast || p.AddressGranularity != 1 {
		t.Fatalf("protocol layer %+v", p)
	}
	if len(p.OptionalCmds) != 34 || p.OptionalCmds[1] != "GET_ID" || fmt.Sprint(p.OptionalLevel1Cmds) != "[GET_VERSION]" {
		t.Errorf("optional commands %v %v", p.OptionalCmds, p.OptionalLevel1Cmds)
	}
	d := x.DAQ
	if d == nil || !d.Dynamic || d.MaxEventChannels != 1 || d.ODTEntryGranularity != 1 || d.MaxODTEntrySize != 0xF8 || !d.PrescalerSupported || d.IdentificationField != "IDENTIFICATION_FIELD_TYPE_RELATIVE_BYTE" {
		t.Fatalf("daq %+v", d)
	}
	if ts := d.Timestamp; ts == nil || ts.Size != 4 || ts.Tick != time.Nanosecond || !ts.Fixed {
		t.Errorf("timestamp %+v", ts)
	}
	if e := d.Event("mainloop"); e == nil || e.Channel != 0 || e.Consistency != "EVENT" || e.Direction != "DAQ" || e.MaxDAQList != 255 {
		t.Errorf("event %+v", e)
	}
	for name, want := range map[string]string{"counter": "fixed [] default [0]", "counter8": "fixed [0] default []"} {
		ev, err := ifxcp.Events(&m.Measurement(name).Common)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("fixed %v default %v", ev.Fixed, ev.Default); got != want {
			t.Errorf("%s events %s, want %s", name, got, want)
		}
		if ch, ok := ev.Preferred(); !ok || ch != 0 {
			t.Errorf("%s preferred %d %v", name, ch, ok)
		}
	}
	seg, err := ifxcp.DecodeSegment(m.ModPar.MemorySegments[1])
	if err != nil {
		t.Fatal(err)
	}
	if seg.Number != 1 || seg.NumPages != 2 || seg.Checksum != "XCP_CRC_16_CITT" || len(seg.Pages) != 2 || seg.Pages[1].Write != "XCP_WRITE_ACCESS_NOT_ALLOWED" {
		t.Errorf("segment %+v", seg)
	}

	pc := load(t, "point_cloud_demo.a2l")
	x, err = ifxcp.Decode(pc)
	if err != nil {
		t.Fatal(err)
	}
	if e := x.DAQ.Event("step"); e == nil || e.Name != "point_cloud_demo.step" || e.Period != time.Millisecond {
		t.Errorf("step event %+v", e)
	}
	sd := load(t, "struct_demo.a2l")
	o, err := sd.Resolve("heap_struct1.byte_field")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ifxcp.Events(o.Common())
	if err != nil || fmt.Sprint(ev.Fixed) != "[1]" {
		t.Errorf("instance events %+v %v", ev, err)
	}
}

const transports = `ASAP2_VERSION 1 71
/begin PROJECT p "" /begin MODULE m ""
/begin IF_DATA XCP
/begin PROTOCOL_LAYER 0x0104 100 200 300 400 500 600 700 8 256 BYTE_ORDER_MSB_FIRST ADDRESS_GRANULARITY_WORD
  OPTIONAL_CMD GET_ID MAX_DTO_STIM 64 COMMUNICATION_MODE_SUPPORTED BLOCK SLAVE MASTER 16 2 SEED_AND_KEY_EXTERNAL_FUNCTION "sk.dll"
/end PROTOCOL_LAYER
/begin DAQ STATIC 2 1 0 OPTIMISATION_TYPE_DEFAULT ADDRESS_EXTENSION_FREE IDENTIFICATION_FIELD_TYPE_ABSOLUTE GRANULARITY_ODT_ENTRY_SIZE_DAQ_WORD 8 NO_OVERLOAD_INDICATION
  /begin DAQ_LIST 0 DAQ_LIST_TYPE DAQ MAX_ODT 4 MAX_ODT_ENTRIES 8 FIRST_PID 0 EVENT_FIXED 0 /end DAQ_LIST
  /begin EVENT "10ms" "10ms" 0 DAQ 1 10 6 0 /end EVENT
/end DAQ
/begin XCP_ON_TCP_IP 0x0104 5555 ADDRESS "127.0.0.1" MAX_BUS_LOAD 100 /end XCP_ON_TCP_IP
/begin XCP_ON_UDP_IP 0x0104 5556 IPV6 "::1" /end XCP_ON_UDP_IP
/begin XCP_ON_CAN 0x0104 CAN_ID_BROADCAST 0x100 CAN_ID_MASTER 0x7E0 CAN_ID_SLAVE 0x7E1 BAUDRATE 500000 SAMPLE_POINT 80 MAX_DLC_REQUIRED
  /begin CAN_FD MAX_DLC 64 CAN_FD_DATA_TRANSFER_BAUDRATE 2000000 /end CAN_FD
  /begin PROTOCOL_LAYER 0x0104 10 20 30 40 50 60 70 8 8 BYTE_ORDER_MSB_LAST ADDRESS_GRANULARITY_BYTE /end PROTOCOL_LAYER
/end XCP_ON_CAN
/begin XCP_ON_SxI 0x0100 115200 ASYNCH_FULL_DUPLEX_MODE PARITY_EVEN TWO_STOP_BITS HEADER_LEN_CTR_WORD CHECKSUM_BYTE /end XCP_ON_SxI
/end IF_DATA
/end MODULE /end PROJECT`

func TestTransports(t *testing.T) {
	f, err := a2l.ParseString("t.a2l", transports, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := ifxcp.Decode(f.Modules[0])
	if err != nil {
		t.Fatal(err)
	}
	p := x.Protocol
	if p.T[6] != 700*time.Millisecond || p.ByteOrder != a2l.MSBFirst || p.AddressGranularity != 2 || p.MaxDTOStim != 64 || !p.CommModeBlock || p.MaxBS != 16 || p.MinST != 2 || p.SeedKeyFunction != "sk.dll" {
		t.Errorf("protocol %+v", p)
	}
	if d := x.DAQ; d.Dynamic || d.MaxDAQ != 2 || len(d.DAQLists) != 1 || d.DAQLists[0].MaxODT != 4 || d.DAQLists[0].EventFixed != 0 || d.Events[0].Period != 10*time.Millisecond {
		t.Errorf("daq %+v %+v", d, d.DAQLists[0])
	}
	tcp := x.Transport("TCP_IP")
	if tcp == nil || tcp.Port != 5555 || tcp.Host != "127.0.0.1" || tcp.Options["MAX_BUS_LOAD"] != 100 {
		t.Errorf("tcp %+v", tcp)
	}
	if udp := x.Transport("UDP_IP"); udp == nil || udp.Port != 5556 || udp.Host != "::1" || !udp.IPv6 {
		t.Errorf("udp %+v", udp)
	}
	can := x.Transport("CAN")
	if can == nil || can.CANIDMaster != 0x7E0 || can.CANIDSlave != 0x7E1 || can.CANIDBroadcast != 0x100 || can.Baudrate != 500000 || !can.MaxDLCRequired || can.CANFD == nil || can.CANFD.MaxDLC != 64 || can.Protocol == nil || can.Protocol.MaxDTO != 8 {
		t.Errorf("can %+v", can)
	}
	if sxi := x.Transport("SxI"); sxi == nil || sxi.Baudrate != 115200 || sxi.Parity != "PARITY_EVEN" || sxi.StopBits != 2 || sxi.HeaderLen != "HEADER_LEN_CTR_WORD" || sxi.Checksum != "CHECKSUM_BYTE" {
		t.Errorf("sxi %+v", sxi)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, body := range []string{
		`/begin PROTOCOL_LAYER 0x0104 1 2 3 /end PROTOCOL_LAYER`,
		`/begin PROTOCOL_LAYER 0x0104 1 2 3 4 5 6 7 8 8 BYTE_ORDER_X ADDRESS_GRANULARITY_BYTE /end PROTOCOL_LAYER`,
		`/begin DAQ SOMETIMES 1 1 0 /end DAQ`,
		`/begin DAQ DYNAMIC 0 1 0 OPTIMISATION_TYPE_DEFAULT ADDRESS_EXTENSION_FREE IDENTIFICATION_FIELD_TYPE_ABSOLUTE GRANULARITY_ODT_ENTRY_SIZE_DAQ_BYTE 8 NO_OVERLOAD_INDICATION /begin EVENT "e" /end EVENT /end DAQ`,
		`/begin XCP_ON_TCP_IP 0x104 "port" /end XCP_ON_TCP_IP`,
	} {
		src := strings.Replace(transports, transports[strings.Index(transports, "/begin PROTOCOL_LAYER"):strings.Index(transports, "/end IF_DATA")], body+"\n", 1)
		f, err := a2l.ParseString("t.a2l", src, a2l.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ifxcp.Decode(f.Modules[0])
		if err == nil || !strings.HasPrefix(err.Error(), "ifxcp: t.a2l:") {
			t.Errorf("%s: err = %v", body, err)
		}
	}
}
