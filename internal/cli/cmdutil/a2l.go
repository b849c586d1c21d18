package cmdutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/master"
)

// A2LOptions are the global A2L flags: where commands that take names find
// the ECU description.
type A2LOptions struct {
	File      string // --a2l FILE
	FromSlave bool   // --a2l-from-slave: GET_ID type 4, then parse

	parsed *a2l.File // --a2l FILE, parsed once
}

// parseFile parses --a2l FILE once (leniently, problems reported on ErrOut).
func (f *Factory) parseFile() (*a2l.File, error) {
	o := &f.Global.A2L
	if o.parsed != nil {
		return o.parsed, nil
	}
	file, err := a2l.ParseFile(o.File, a2l.Options{Lenient: true})
	if err != nil {
		return nil, err
	}
	if n := len(file.Problems); n > 0 {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s: %d problem(s), first: %v (run 'xcp a2l check %s' for all)\n", o.File, n, file.Problems[0], o.File)
	}
	o.parsed = file
	return file, nil
}

// applyA2L takes transport settings and timeouts from the IF_DATA XCP of
// --a2l FILE where neither a flag nor the configuration file set them (the
// setting still has its default): host, port and protocol from the first
// XCP_ON_TCP_IP / XCP_ON_UDP_IP, T1…T7 from PROTOCOL_LAYER (0 = keep).
func (f *Factory) applyA2L(c *config.Config) error {
	if f.Global.A2L.File == "" || f.Global.Sim {
		return nil
	}
	file, err := f.parseFile()
	if err != nil {
		return err
	}
	if len(file.Modules) == 0 {
		return nil
	}
	// Keys the configuration file sets explicitly win (connect.ApplyA2L
	// reads them), and so do the flags.
	flags := map[string]string{"transport.eth.host": "host", "transport.eth.port": "port", "transport.eth.protocol": "protocol", "general.timeouts": "timeout"}
	took, err := connect.ApplyA2L(c, file.Modules[0], func(key string) bool { return f.changed(flags[key]) })
	if took != "" {
		f.a2lAddr = fmt.Sprintf("%s from the IF_DATA XCP of %s", took, f.Global.A2L.File)
	}
	return err
}

// ErrNoA2L is returned by Factory.A2L when no A2L source was given.
var ErrNoA2L = errors.New("this command needs an A2L file: give --a2l FILE or --a2l-from-slave")

// NeedsSlaveA2L reports whether the A2L has to be fetched from the slave
// (--a2l-from-slave, or --sim without --a2l), so the caller must connect
// before calling A2L.
func (f *Factory) NeedsSlaveA2L() bool {
	return f.Global.A2L.File == "" && (f.Global.A2L.FromSlave || f.Global.Sim)
}

// A2L returns the first MODULE of the A2L given by --a2l FILE or, with
// --a2l-from-slave (or --sim without --a2l), fetched from the slave over m
// (which may be nil otherwise). The file is parsed leniently: problems are
// reported on ErrOut as warnings (`xcp a2l check FILE` lists them all) and
// objects that could not be parsed are missing.
func (f *Factory) A2L(ctx context.Context, m *master.Master) (*a2l.Module, error) {
	var file *a2l.File
	switch {
	case f.Global.A2L.File != "":
		var err error
		if file, err = f.parseFile(); err != nil {
			return nil, err
		}
		if len(file.Modules) == 0 {
			return nil, fmt.Errorf("%s: %w", f.Global.A2L.File, connect.ErrNoModule)
		}
	case f.NeedsSlaveA2L():
		if m == nil {
			return nil, errors.New("internal: --a2l-from-slave needs a connection")
		}
		var err error
		if file, err = connect.LoadA2L(ctx, "", m, "slave.a2l"); err != nil {
			return nil, fmt.Errorf("--a2l-from-slave: %w", err)
		}
		if n := len(file.Problems); n > 0 {
			fmt.Fprintf(f.IO.ErrOut, "warning: slave.a2l: %d problem(s), first: %v\n", n, file.Problems[0])
		}
	default:
		return nil, &UsageError{Err: ErrNoA2L}
	}
	return file.Modules[0], nil
}

// Memory adapts a connected master to goxcp/a2l/values.Memory for the
// duration of ctx.
type Memory struct {
	Ctx context.Context
	M   *master.Master
}

// Read reads n bytes at addr/ext.
func (mm Memory) Read(addr uint32, ext uint8, n int) ([]byte, error) {
	return mm.M.Read(mm.Ctx, addr, ext, n)
}

// Write writes data at addr/ext.
func (mm Memory) Write(addr uint32, ext uint8, data []byte) error {
	return mm.M.Write(mm.Ctx, addr, ext, data)
}

// CheckEPK compares the EPK that the A2L of --a2l FILE declares (MOD_PAR
// EPK at ADDR_EPK) with the connected ECU's before a command writes or
// records by name (cal.CheckEPK). A mismatch is an error showing both
// unless ignore is set, when it is a warning on ErrOut. An A2L fetched from
// the slave is the ECU's own and is not checked.
func (f *Factory) CheckEPK(ctx context.Context, m *master.Master, mod *a2l.Module, ignore bool) error {
	if f.Global.A2L.File == "" || m == nil || mod == nil {
		return nil
	}
	err := cal.CheckEPK(ctx, mod, m)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, cal.ErrEPKMismatch) && ignore:
		fmt.Fprintf(f.IO.ErrOut, "warning: %s: %v (--ignore-epk: going on)\n", f.Global.A2L.File, err)
		return nil
	case errors.Is(err, cal.ErrEPKMismatch):
		return fmt.Errorf("%s: %w; the A2L does not describe the software in the ECU (--ignore-epk to go on)", f.Global.A2L.File, err)
	}
	return fmt.Errorf("%s: check the EPK: %w", f.Global.A2L.File, err)
}
