package ifxcp_test

import (
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
)

// FuzzDecode feeds arbitrary IF_DATA XCP content (module level, memory
// segment and object DAQ_EVENT) to the decoders: errors, never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`/begin PROTOCOL_LAYER 0x0104 1 2 3 4 5 6 7 8 8 BYTE_ORDER_MSB_LAST ADDRESS_GRANULARITY_BYTE OPTIONAL_CMD GET_ID COMMUNICATION_MODE_SUPPORTED BLOCK SLAVE MASTER 2 0 /end PROTOCOL_LAYER`,
		`/begin DAQ DYNAMIC 0 1 0 OPTIMISATION_TYPE_DEFAULT ADDRESS_EXTENSION_FREE IDENTIFICATION_FIELD_TYPE_ABSOLUTE GRANULARITY_ODT_ENTRY_SIZE_DAQ_BYTE 8 NO_OVERLOAD_INDICATION /begin TIMESTAMP_SUPPORTED 1 SIZE_WORD UNIT_1US /end TIMESTAMP_SUPPORTED /begin EVENT "a" "a" 0 DAQ 1 1 6 0 CONSISTENCY ODT /end EVENT /end DAQ`,
		`/begin XCP_ON_CAN 0x104 CAN_ID_MASTER 1 CAN_ID_SLAVE 2 /begin CAN_FD MAX_DLC 64 /end CAN_FD /end XCP_ON_CAN /begin XCP_ON_TCP_IP 0x104 5555 HOST_NAME "h" /end XCP_ON_TCP_IP`,
		`/begin SEGMENT 0 2 0 0 0 /begin CHECKSUM XCP_ADD_44 /end CHECKSUM /begin PAGE 0 ECU_ACCESS_DONT_CARE XCP_READ_ACCESS_DONT_CARE XCP_WRITE_ACCESS_DONT_CARE /end PAGE /end SEGMENT`,
		`/begin DAQ_EVENT VARIABLE /begin DEFAULT_EVENT_LIST EVENT 1 /end DEFAULT_EVENT_LIST /end DAQ_EVENT`,
		`/begin DAQ_EVENT FIXED_EVENT_LIST EVENT 0x10 /end DAQ_EVENT`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		src := `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin MOD_PAR "" /begin MEMORY_SEGMENT s "" DATA RAM INTERN 0 1 -1 -1 -1 -1 -1 /begin IF_DATA XCP ` + content + ` /end IF_DATA /end MEMORY_SEGMENT /end MOD_PAR
/begin MEASUREMENT x "" UBYTE NO_COMPU_METHOD 0 0 0 1 /begin IF_DATA XCP ` + content + ` /end IF_DATA /end MEASUREMENT
/begin IF_DATA XCP ` + content + ` /end IF_DATA
/end MODULE /end PROJECT`
		f, err := a2l.ParseString("f.a2l", src, a2l.Options{})
		if err != nil {
			return
		}
		m := f.Modules[0]
		ifxcp.Decode(m)
		ifxcp.DecodeSegment(m.ModPar.MemorySegments[0])
		ifxcp.Events(&m.Measurement("x").Common)
	})
}
