// Package discover is `xcp discovery`: find XCP-on-Ethernet slaves with
// GET_SLAVE_ID over UDP multicast (package discovery) and assign an IPv4
// address with SET_SLAVE_IP_ADDRESS.
package discover

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/protocol/xcp"
	xsim "github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth/discovery"
)

// Options are the parsed arguments of `xcp discovery`.
type Options struct {
	IO      *cmdutil.IOStreams
	Printer func(json bool) *cmdutil.Printer
	Log     func() *slog.Logger

	Config discovery.Config
	SetIP  netip.Addr // valid: send SET_SLAVE_IP_ADDRESS
	MAC    net.HardwareAddr
	JSON   bool
	Sim    bool // answer with an embedded simulator on the loopback interface
}

// NewCmd returns the `xcp discovery` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Printer: f.Printer, Log: f.Logger}
	var setIP, mac string
	cmd := &cobra.Command{
		Use:   "discovery",
		Short: "Find XCP-on-Ethernet slaves (GET_SLAVE_ID over UDP multicast)",
		Long: `Find XCP-on-Ethernet slaves: GET_SLAVE_ID (--extended: GET_SLAVE_ID_EXTENDED,
whose answers carry the MAC address) is sent as TRANSPORT_LAYER_CMD to the
multicast group 239.255.0.0:5556 on every IPv4 interface (or --interface)
and every answer within --wait is listed: the address and port of the
slave's XCP server, TCP/UDP, whether a master is connected, its resources
and identification. The slaves answer to the sending socket's address.

--set-ip IP --mac MAC sends SET_SLAVE_IP_ADDRESS instead: the slave with
that MAC address takes the IPv4 address.

With --sim an embedded simulator answers on the loopback interface.`,
		Example: `  xcp --sim discovery
  xcp discovery --extended --wait 3s
  xcp discovery --interface eth0 --json
  xcp discovery --set-ip 192.168.1.50 --mac 02:00:00:00:00:01`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (setIP == "") != (mac == "") {
				return cmdutil.UsageErrorf("--set-ip and --mac go together")
			}
			if setIP != "" {
				ip, err := netip.ParseAddr(setIP)
				if err != nil || !ip.Is4() {
					return cmdutil.UsageErrorf("--set-ip: not an IPv4 address: %q", setIP)
				}
				hw, err := net.ParseMAC(mac)
				if err != nil || len(hw) != 6 {
					return cmdutil.UsageErrorf("--mac: not a 6-byte MAC address like 02:00:00:00:00:01: %q", mac)
				}
				opts.SetIP, opts.MAC = ip, hw
			}
			if opts.Config.Wait <= 0 {
				return cmdutil.UsageErrorf("--wait must be positive, got %s", opts.Config.Wait)
			}
			opts.Sim = f.Global.Sim
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Config.Group, "group", xcp.EthDiscoveryGroup, "multicast `group:port` to ask")
	fl.StringVar(&opts.Config.Interface, "interface", "", "ask on this interface only (default every IPv4 multicast interface)")
	fl.DurationVar(&opts.Config.Wait, "wait", time.Second, "how long to collect answers")
	fl.BoolVar(&opts.Config.Extended, "extended", false, "send GET_SLAVE_ID_EXTENDED (answers include the MAC address)")
	fl.StringVar(&setIP, "set-ip", "", "send SET_SLAVE_IP_ADDRESS with this IPv4 `address` (needs --mac)")
	fl.StringVar(&mac, "mac", "", "MAC `address` of the slave for --set-ip")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	cfg := opts.Config
	cfg.Logger = opts.Log()
	if opts.Sim {
		group, lo, stop, err := startSim(ctx, cfg.Group, cfg.Logger)
		if err != nil {
			return err
		}
		defer stop()
		cfg.Group, cfg.Interface = group, lo
	}
	p := opts.Printer(opts.JSON)
	if opts.SetIP.IsValid() {
		res, err := discovery.SetIP(ctx, cfg, opts.MAC, opts.SetIP)
		if err != nil {
			return err
		}
		t := cmdutil.Table{Header: []string{"from", "mac", "status"}}
		for _, r := range res {
			t.Add(r.From.String(), r.MAC, fmt.Sprint(r.Status))
		}
		fmt.Fprintf(opts.IO.ErrOut, "%d slave(s) acknowledged the new address %s\n", len(res), opts.SetIP)
		out := make([]setIPJSON, len(res))
		for i, r := range res {
			out[i] = setIPJSON(r)
		}
		return p.Print(out, t)
	}
	slaves, err := discovery.Discover(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "%d slave(s) answered within %s\n", len(slaves), cfg.Wait)
	header := []string{"address", "port", "protocol", "status", "resources", "id", "interface"}
	if cfg.Extended {
		header = append(header, "mac")
	}
	t := cmdutil.Table{Header: header}
	for _, s := range slaves {
		status := "free"
		if s.Busy {
			status = "busy"
		}
		row := []string{s.Addr.String(), fmt.Sprint(s.Port), s.Protocol, status, s.Resource.String(), s.ID, s.Interface}
		if cfg.Extended {
			row = append(row, s.MAC)
		}
		t.Add(row...)
	}
	out := make([]slaveJSON, len(slaves))
	for i, s := range slaves {
		out[i] = slaveJSON{Interface: s.Interface, From: s.From, Addr: s.Addr, Port: s.Port, Protocol: s.Protocol, Busy: s.Busy,
			Extended: s.Extended, Resource: s.Resource.String(), ID: s.ID, MAC: s.MAC}
	}
	return p.Print(out, t)
}

// slaveJSON and setIPJSON are the --json forms of discovery's results.
type slaveJSON struct {
	Interface string         `json:"interface"`
	From      netip.AddrPort `json:"from"`
	Addr      netip.Addr     `json:"address"`
	Port      uint16         `json:"port"`
	Protocol  string         `json:"protocol"`
	Busy      bool           `json:"busy"`
	Extended  bool           `json:"extended_supported"`
	Resource  string         `json:"resource"` // e.g. "CAL/PAG|DAQ|PGM"
	ID        string         `json:"id"`
	MAC       string         `json:"mac,omitempty"`
}

type setIPJSON struct {
	From   netip.AddrPort `json:"from"`
	Status uint8          `json:"status"`
	MAC    string         `json:"mac"`
}

// startSim serves a simulator on TCP 127.0.0.1 (free port) and answers
// discovery on the loopback interface on group's address with a free
// port. It returns the group address joined and the loopback interface.
func startSim(ctx context.Context, group string, log *slog.Logger) (string, string, func() error, error) {
	ga, err := netip.ParseAddrPort(group)
	if err != nil {
		return "", "", nil, cmdutil.UsageErrorf("--group: want IPv4:PORT, got %q", group)
	}
	slave, err := xsim.New(xsim.Config{Logger: log.With("side", "sim")})
	if err != nil {
		return "", "", nil, err
	}
	srv, err := connect.Serve(context.WithoutCancel(ctx), slave, connect.ServeConfig{TCP: []string{"127.0.0.1:0"},
		Discovery: true, DiscoveryGroup: netip.AddrPortFrom(ga.Addr(), 0).String(), Logger: log})
	if err != nil {
		return "", "", nil, fmt.Errorf("simulator: %w", err)
	}
	return srv.DiscoveryGroup(), srv.DiscoveryInterface(), srv.Close, nil
}
