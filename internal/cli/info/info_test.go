package info

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/slaveinfo"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want slaveinfo.Parts
		json bool
	}{
		{nil, slaveinfo.Parts{IDs: true, DAQ: true, PAG: true, PGM: true}, false},
		{[]string{"--no-daq", "--no-pag", "--json"}, slaveinfo.Parts{IDs: true, PGM: true}, true},
		{[]string{"--no-ids", "--no-pgm"}, slaveinfo.Parts{DAQ: true, PAG: true}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got.Parts != tt.want || got.JSON != tt.json {
				t.Errorf("got %+v json=%v", got.Parts, got.JSON)
			}
		})
	}
}

// A report with the optional parts missing renders their reasons and the
// protection table.
func TestTablesNotSupported(t *testing.T) {
	r := &slaveinfo.Report{
		Connect:  slaveinfo.Connect{Resources: []string{"CAL/PAG", "DAQ"}, ByteOrder: "Intel", AddressGranule: 1, MaxCTO: 8, MaxDTO: 8},
		CommMode: &slaveinfo.CommMode{NotSupported: "not supported (GET_COMM_MODE_INFO answered ERR_CMD_UNKNOWN)"},
		Status:   slaveinfo.Status{Session: "STORE_CAL_REQ", Protection: map[string]bool{"CAL/PAG": true, "DAQ": false}},
		DAQ:      &slaveinfo.DAQ{NotSupported: "not supported (GET_DAQ_PROCESSOR_INFO answered ERR_CMD_UNKNOWN)"},
		Skipped:  []string{"pgm"},
	}
	ios, _, out, _ := cmdutil.Test()
	if err := cmdutil.New(ios).Printer(false).Tables(tables(r)...); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MAX_CTO", "GET_COMM_MODE_INFO  not supported", "CAL/PAG   yes", "DAQ       no", "GET_DAQ_PROCESSOR_INFO answered", "skipped: pgm"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
