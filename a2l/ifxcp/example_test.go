package ifxcp_test

import (
	"fmt"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
)

func ExampleDecode() {
	f, _ := a2l.ParseString("x.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin IF_DATA XCP
  /begin PROTOCOL_LAYER 0x0104 1000 2000 0 0 0 0 0 248 1024 BYTE_ORDER_MSB_LAST ADDRESS_GRANULARITY_BYTE OPTIONAL_CMD GET_ID /end PROTOCOL_LAYER
  /begin DAQ DYNAMIC 0 1 0 OPTIMISATION_TYPE_DEFAULT ADDRESS_EXTENSION_FREE IDENTIFICATION_FIELD_TYPE_RELATIVE_BYTE GRANULARITY_ODT_ENTRY_SIZE_DAQ_BYTE 0xF8 OVERLOAD_INDICATION_PID
    /begin EVENT "10ms" "10ms" 0 DAQ 0xFF 10 6 0 /end EVENT
  /end DAQ
  /begin XCP_ON_UDP_IP 0x0104 5555 ADDRESS "127.0.0.1" /end XCP_ON_UDP_IP
/end IF_DATA
/end MODULE /end PROJECT`, a2l.Options{})
	x, err := ifxcp.Decode(f.Modules[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	udp := x.Transport("UDP_IP")
	fmt.Println(x.Protocol.Timeout(1), x.Protocol.MaxCTO, x.DAQ.Event("10ms").Period, udp.Host, udp.Port)
	// Output: 1s 248 10ms 127.0.0.1 5555
}
