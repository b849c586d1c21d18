package cal_test

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

func TestUnsupportedLayouts(t *testing.T) {
	for _, tc := range []struct{ layout, want string }{
		{"FNC_VALUES 1 UBYTE ROW_DIR PBYTE", "addressing PBYTE (indirect) is not supported"},
	} {
		src := `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin RECORD_LAYOUT RL ` + tc.layout + ` /end RECORD_LAYOUT
/begin CHARACTERISTIC c "" VALUE 0x1000 RL 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/end MODULE /end PROJECT`
		f, err := a2l.ParseString("u.a2l", src, a2l.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cal.Describe(f.Modules[0], "c"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.layout, err)
		}
	}
}
