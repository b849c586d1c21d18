package connect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/master"
)

// A2LFetcher downloads the A2L file a slave holds (GET_ID type 4);
// *master.Master and *Session satisfy it.
type A2LFetcher interface {
	FetchA2L(ctx context.Context) ([]byte, error)
}

// ErrNoModule is returned by LoadA2L for an A2L without a MODULE.
var ErrNoModule = errors.New("connect: the A2L has no MODULE")

// LoadA2L returns the ECU description: the A2L file at path when path is
// not "", else the one the slave holds, downloaded over s (GET_ID type 4)
// and named name in positions and messages ("slave.a2l" if ""). It is
// parsed leniently (a2l.Options{Lenient: true}): File.Problems lists what
// could not be parsed — those objects are missing — so that an ECU
// description with a flaw in one object still serves all the others; use
// a2linfo.Check for a strict check. A slave without an A2L gives an error
// matching master.ErrNoID, an A2L without a MODULE one matching
// ErrNoModule.
func LoadA2L(ctx context.Context, path string, s A2LFetcher, name string) (*a2l.File, error) {
	opt := a2l.Options{Lenient: true}
	var (
		file *a2l.File
		err  error
	)
	if path != "" {
		name = path
		file, err = a2l.ParseFile(path, opt)
	} else {
		if name == "" {
			name = "slave.a2l"
		}
		if s == nil {
			return nil, errors.New("connect: LoadA2L: no A2L file and no slave to fetch it from")
		}
		data, ferr := s.FetchA2L(ctx)
		switch {
		case errors.Is(ferr, master.ErrNoID):
			return nil, fmt.Errorf("the slave offers no A2L file (GET_ID type 4 answered length 0): %w", ferr)
		case ferr != nil:
			return nil, fmt.Errorf("fetch the A2L from the slave: %w", ferr)
		}
		file, err = a2l.Parse(name, data, opt)
	}
	if err != nil {
		return nil, err
	}
	if len(file.Modules) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrNoModule)
	}
	return file, nil
}

// ApplyA2L takes connection settings from the IF_DATA XCP of an A2L
// module where c still has its defaults: host, port and protocol from the
// first XCP_ON_TCP_IP / XCP_ON_UDP_IP, and T1…T7 from PROTOCOL_LAYER for the
// timeouts c leaves at 0. Settings the configuration file c was loaded from
// (c.File) sets explicitly are kept even when set to the default value, and
// so are those fixed reports (by configuration key: "transport.eth.host",
// "transport.eth.port", "transport.eth.protocol", "general.timeouts"; for
// command-line flags; nil: none). It returns what it took from the
// A2L ("host 127.0.0.2, port 6123"; "" for nothing), so that a connection
// error can name where the address came from. An A2L without IF_DATA XCP
// changes nothing; a malformed one is an error naming the problem.
func ApplyA2L(c *config.Config, m *a2l.Module, fixed func(key string) bool) (took string, err error) {
	// Keys the configuration file sets explicitly win, also when they are
	// set to the default value.
	inFile := map[string]bool{}
	if c.File != "" {
		if data, err := os.ReadFile(c.File); err == nil {
			if keys, err := config.FileKeys(data); err == nil {
				for _, k := range keys {
					inFile[k] = true
				}
			}
		}
	}
	caller := fixed
	fixed = func(key string) bool { return inFile[key] || (caller != nil && caller(key)) }
	x, err := ifxcp.Decode(m)
	if err != nil || x == nil {
		return "", err
	}
	var parts []string
	eth := &c.Transport.Eth
	for _, t := range x.Transports {
		if t.Kind != "TCP_IP" && t.Kind != "UDP_IP" {
			continue
		}
		if !fixed("transport.eth.host") && eth.Host == config.DefaultHost && t.Host != "" && t.Host != eth.Host {
			eth.Host = t.Host
			parts = append(parts, "host "+t.Host)
		}
		if !fixed("transport.eth.port") && eth.Port == config.DefaultPort && t.Port != 0 && t.Port != eth.Port {
			eth.Port = t.Port
			parts = append(parts, fmt.Sprintf("port %d", t.Port))
		}
		if p := map[string]string{"TCP_IP": "tcp", "UDP_IP": "udp"}[t.Kind]; !fixed("transport.eth.protocol") && eth.Protocol == config.DefaultProtocol && p != eth.Protocol {
			eth.Protocol = p
			parts = append(parts, "protocol "+p)
		}
		break
	}
	if p := x.Protocol; p != nil && !fixed("general.timeouts") {
		g := &c.General
		for i, dst := range []*time.Duration{&g.T1, &g.T2, &g.T3, &g.T4, &g.T5, &g.T6, &g.T7} {
			if *dst == 0 && p.T[i] > 0 {
				*dst = p.T[i]
			}
		}
	}
	return strings.Join(parts, ", "), nil
}
