package cmdutil

import (
	"context"
	"errors"
	"fmt"

	"goxcp/a2l"
	"goxcp/master"
)

// A2LOptions are the global A2L flags: where commands that take names find
// the ECU description.
type A2LOptions struct {
	File      string // --a2l FILE
	FromSlave bool   // --a2l-from-slave: GET_ID type 4, then parse
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
	var (
		file *a2l.File
		err  error
		name string
	)
	opt := a2l.Options{Lenient: true}
	switch {
	case f.Global.A2L.File != "":
		name = f.Global.A2L.File
		file, err = a2l.ParseFile(name, opt)
	case f.NeedsSlaveA2L():
		if m == nil {
			return nil, errors.New("internal: --a2l-from-slave needs a connection")
		}
		name = "slave.a2l"
		var data []byte
		data, err = m.FetchA2L(ctx)
		if errors.Is(err, master.ErrNoID) {
			return nil, fmt.Errorf("--a2l-from-slave: the slave offers no A2L file (GET_ID type 4): %w", err)
		}
		if err != nil {
			return nil, fmt.Errorf("--a2l-from-slave: %w", err)
		}
		file, err = a2l.Parse(name, data, opt)
	default:
		return nil, &UsageError{Err: ErrNoA2L}
	}
	if err != nil {
		return nil, err
	}
	if n := len(file.Problems); n > 0 {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s: %d problem(s), first: %v (run 'xcp a2l check %s' for all)\n", name, n, file.Problems[0], name)
	}
	if len(file.Modules) == 0 {
		return nil, fmt.Errorf("%s: no MODULE", name)
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
