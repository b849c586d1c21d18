package info

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/clitest"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want Parts
		json bool
	}{
		{nil, Parts{IDs: true, DAQ: true, PAG: true, PGM: true}, false},
		{[]string{"--no-daq", "--no-pag", "--json"}, Parts{IDs: true, PGM: true}, true},
		{[]string{"--no-ids", "--no-pgm"}, Parts{DAQ: true, PAG: true}, false},
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
