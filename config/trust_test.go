package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A key program named by an xcp.toml found in the working directory does
// not run until the user trusts the file; files the user chose may start
// it; a change of a trusted file withdraws the trust.
func TestKeyProgramTrust(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	work := t.TempDir()
	t.Chdir(work)
	const withKey = "[general]\nseed_n_key_command = \"./mykey\"\n"
	if err := os.WriteFile(FileName, []byte(withKey), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	load := func(explicit string, e map[string]string) *Config {
		t.Helper()
		path, origin, err := Locate(explicit, env(e))
		if err != nil {
			t.Fatal(err)
		}
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetOrigin(origin); err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := load("", nil)
	err := c.CheckPrograms()
	var ue *UntrustedError
	if !errors.Is(err, ErrUntrusted) || !errors.As(err, &ue) || c.Origin != OriginWorkDir {
		t.Fatalf("implicit ./xcp.toml: %v (origin %v)", err, c.Origin)
	}
	for _, want := range []string{"xcp.toml: general.seed_n_key_command is not run", "found in the working directory", "xcp config trust xcp.toml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	// Chosen files may start programs.
	if c := load(FileName, nil); c.CheckPrograms() != nil || c.Origin != OriginFlag {
		t.Errorf("--config: %v", c.CheckPrograms())
	}
	if c := load("", map[string]string{"XCP_CONFIG": FileName}); c.CheckPrograms() != nil || c.Origin != OriginEnv {
		t.Errorf("XCP_CONFIG: %v", c.CheckPrograms())
	}
	// Trusted explicitly.
	store, err := Trust(FileName)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(store, home) {
		t.Fatalf("trust store %s outside the user's configuration directory", store)
	}
	if c := load("", nil); c.CheckPrograms() != nil {
		t.Fatalf("after Trust: %v", c.CheckPrograms())
	}
	// Changed afterwards: no longer trusted.
	if err := os.WriteFile(FileName, []byte(withKey+"# changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := load("", nil); !errors.Is(c.CheckPrograms(), ErrUntrusted) {
		t.Fatal("a changed file kept its trust")
	}
	// The user's own configuration directory is chosen.
	os.Remove(FileName)
	dir, _ := os.UserConfigDir()
	own := filepath.Join(dir, "goxcp", FileName)
	os.MkdirAll(filepath.Dir(own), 0o755)
	if err := os.WriteFile(own, []byte(withKey), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := load("", nil); c.CheckPrograms() != nil || c.Origin != OriginUserDir {
		t.Fatalf("user config dir: %v (origin %v)", c.CheckPrograms(), c.Origin)
	}
	// Parsed data (not a file the caller named) may not start programs.
	p, err := Parse("converted.toml", []byte(withKey))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(p.CheckPrograms(), ErrUntrusted) {
		t.Fatal("Parse result may start programs")
	}
}
