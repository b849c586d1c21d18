package download

import (
	"bytes"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/clitest"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want Options
		err  string
	}{
		{[]string{"0x100000", "01020304"}, Options{Addr: 0x100000, Data: []byte{1, 2, 3, 4}}, ""},
		{[]string{"0x100000", "01", "02", "0A:0B", "--ext", "1", "--verify"}, Options{Addr: 0x100000, Data: []byte{1, 2, 10, 11}, Ext: 1, Verify: true}, ""},
		{[]string{"0xFFFFFFFF", "0102"}, Options{}, "runs past the 32-bit address space"},
		{[]string{"0x1000"}, Options{}, "needs arguments ADDR HEX"},
		{[]string{"0x1000", "xyz0"}, Options{}, "not hex bytes"},
		{[]string{"zz", "00"}, Options{}, `ADDR "zz": not a number`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.err != "" {
				clitest.WantUsageError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr != tt.want.Addr || !bytes.Equal(got.Data, tt.want.Data) || got.Ext != tt.want.Ext || got.Verify != tt.want.Verify {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}
