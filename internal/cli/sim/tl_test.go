package sim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"goxcp/internal/cli/cmdutil"
	"goxcp/transport/can"
)

func TestMediaOptions(t *testing.T) {
	tests := []struct {
		args     []string
		can      []CANSpec
		sxi      []string
		cto, dto int
		canCfg   can.Config
		wantErr  string
	}{
		{args: []string{"--can", "udp"}, can: []CANSpec{{"udp", ""}}, cto: 8, dto: 8,
			canCfg: can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}},
		{args: []string{"--can", "udpmcast:239.1.2.3:4000", "--fd", "--can-id-master", "0x80000701", "--can-id-slave", "0x702", "--max-dlc-required", "--padding-value", "0xAA"},
			can: []CANSpec{{"udp", "239.1.2.3:4000"}}, cto: 64, dto: 64,
			canCfg: can.Config{CanIDMaster: 0x80000701, CanIDSlave: 0x702, CanIDBroadcast: 0x100, FD: true, MaxDLCRequired: true, PaddingValue: 0xAA}},
		{args: []string{"--can", "udp", "--max-dto", "8", "--fd", "--max-can-fd-dlc", "16"}, can: []CANSpec{{"udp", ""}}, cto: 16, dto: 8,
			canCfg: can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100, FD: true, MaxFDLen: 16}},
		{args: []string{"--sxi", "pty", "--header-format", "LEN_BYTE"}, sxi: []string{"pty"}, cto: 255, dto: 255,
			canCfg: can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}},
		{args: []string{"--can", "virtual"}, wantErr: "exist only inside one program"},
		{args: []string{"--can", "pcan"}, wantErr: `unknown interface "pcan"`},
		{args: []string{"--can", "udp", "--can-id-slave", "0x101"}, wantErr: "--can: can: can_id_master and can_id_slave are both 0x101"},
		{args: []string{"--can-id-master", "zz"}, wantErr: `--can-id-master: not a CAN identifier: "zz"`},
		{args: []string{"--sxi", "pty", "--tail-format", "CRC"}, wantErr: "--header-format/--tail-format"},
		{args: []string{"--sxi", "pty", "--parity", "Q"}, wantErr: "--bitrate/--parity/--stopbits"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *Options
			cmd := newCmd(cmdutil.New(ios), func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
					t.Fatalf("got %v, want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.can, got.CAN); d != "" {
				t.Errorf("CAN (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.sxi, got.SxI); d != "" {
				t.Errorf("SxI (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.canCfg, got.CANConfig); d != "" {
				t.Errorf("CANConfig (-want +got):\n%s", d)
			}
			if got.Slave.MaxCTO != tt.cto || got.Slave.MaxDTO != tt.dto {
				t.Errorf("MAX_CTO/DTO = %d/%d, want %d/%d", got.Slave.MaxCTO, got.Slave.MaxDTO, tt.cto, tt.dto)
			}
			if len(got.TCP) != 0 {
				t.Errorf("TCP = %v: no default TCP listener with CAN/SxI media", got.TCP)
			}
		})
	}
}
