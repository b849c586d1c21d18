package connect_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/sim"
)

// fetcher answers FetchA2L with fixed data or an error.
type fetcher struct {
	data []byte
	err  error
}

func (f fetcher) FetchA2L(context.Context) ([]byte, error) { return f.data, f.err }

func TestLoadA2L(t *testing.T) {
	s, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	good := s.A2L()
	dir := t.TempDir()
	path := filepath.Join(dir, "ecu.a2l")
	os.WriteFile(path, []byte(good), 0o644)
	noModule := "ASAP2_VERSION 1 71\n/begin PROJECT p \"\"\n/end PROJECT\n"
	for _, c := range []struct {
		name   string
		path   string
		from   connect.A2LFetcher
		module string
		err    error
		msg    string
	}{
		{"file", path, nil, "goxcp_sim", nil, ""},
		{"file wins over the slave", path, fetcher{err: errors.New("not asked")}, "goxcp_sim", nil, ""},
		{"from the slave", "", fetcher{data: []byte(good)}, "goxcp_sim", nil, ""},
		{"slave without A2L", "", fetcher{err: master.ErrNoID}, "", master.ErrNoID, "offers no A2L file"},
		{"slave connection lost", "", fetcher{err: errors.New("connection reset")}, "", nil, "fetch the A2L from the slave: connection reset"},
		{"no MODULE", "", fetcher{data: []byte(noModule)}, "", connect.ErrNoModule, "slave.a2l"},
		{"missing file", filepath.Join(dir, "none.a2l"), nil, "", os.ErrNotExist, "none.a2l"},
		{"nothing to load from", "", nil, "", nil, "no A2L file and no slave"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := connect.LoadA2L(context.Background(), c.path, c.from, "")
			if c.module != "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := f.Modules[0].Name; got != c.module {
					t.Errorf("module %q, want %q", got, c.module)
				}
				return
			}
			if err == nil || (c.err != nil && !errors.Is(err, c.err)) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("got %v, want %v with %q", err, c.err, c.msg)
			}
		})
	}
}

// Load the ECU description the slave holds — here the built-in
// simulator's — and look up a calibration value in it.
func ExampleLoadA2L() {
	ctx := context.Background()
	s, err := connect.Open(ctx, config.Default(), connect.Options{Simulator: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	file, err := connect.LoadA2L(ctx, "", s, "") // or LoadA2L(ctx, "ecu.a2l", nil, "")
	if err != nil {
		log.Fatal(err)
	}
	ecu := file.Modules[0]
	c := ecu.Characteristic("temp_limit")
	fmt.Println(ecu.Name, "problems:", len(file.Problems))
	fmt.Printf("temp_limit at 0x%X, %s\n", c.Address, c.Conversion)
	// Output:
	// goxcp_sim problems: 0
	// temp_limit at 0x2013A, CM_TEMP_FORM
}
