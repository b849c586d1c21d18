package config

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Origin says how the configuration file was found (Locate). It decides
// whether the file may start programs (general.seed_n_key_command): a file
// the user chose may, one merely found in the working directory may not
// unless the user trusted it (Trust).
type Origin int

// Origins of a configuration file.
const (
	OriginNone    Origin = iota // no file: the defaults
	OriginFlag                  // --config
	OriginEnv                   // XCP_CONFIG
	OriginWorkDir               // ./xcp.toml, found implicitly
	OriginUserDir               // xcp.toml in the user configuration directory
)

// Chosen reports whether the user chose the file (named it, or put it in
// their own configuration directory).
func (o Origin) Chosen() bool { return o == OriginFlag || o == OriginEnv || o == OriginUserDir }

// String names the origin for messages.
func (o Origin) String() string {
	switch o {
	case OriginFlag:
		return "--config"
	case OriginEnv:
		return "XCP_CONFIG"
	case OriginWorkDir:
		return "the working directory"
	case OriginUserDir:
		return "the user configuration directory"
	}
	return "none"
}

// Locate is Find that also says where the file came from.
func Locate(explicit string, getenv func(string) string) (string, Origin, error) {
	for _, p := range []struct {
		path string
		o    Origin
	}{{explicit, OriginFlag}, {getenv("XCP_CONFIG"), OriginEnv}} {
		if p.path == "" {
			continue
		}
		if _, err := os.Stat(p.path); err != nil {
			return "", OriginNone, fmt.Errorf("config file from %s: %w", p.o, err)
		}
		return p.path, p.o, nil
	}
	candidates := []struct {
		path string
		o    Origin
	}{{FileName, OriginWorkDir}}
	if dir, err := os.UserConfigDir(); err == nil {
		candidates = append(candidates, struct {
			path string
			o    Origin
		}{filepath.Join(dir, "goxcp", FileName), OriginUserDir})
	}
	for _, c := range candidates {
		if _, err := os.Stat(c.path); err == nil {
			return c.path, c.o, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", OriginNone, fmt.Errorf("config: %w", err)
		}
	}
	return "", OriginNone, nil
}

// ErrUntrusted is matched (errors.Is) by the error refusing to run a
// program named by a configuration file the user did not choose.
var ErrUntrusted = errors.New("config: program from an untrusted configuration file")

// UntrustedError explains why a program named in File is not run and how
// to allow it.
type UntrustedError struct {
	File   string
	Key    string // the setting naming the program
	Origin Origin
}

// Error implements error.
func (e *UntrustedError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("config: %s is not run: the configuration is not marked as chosen by the user (Config.Trusted)", e.Key)
	}
	where := "it"
	if e.Origin == OriginWorkDir {
		where = "it was found in the working directory, not chosen by you; it"
	}
	return fmt.Sprintf("%s: %s is not run: %s may come from anyone. A program runs only from a configuration file "+
		"given with --config or XCP_CONFIG, from xcp.toml in your configuration directory, or from a file you trust: "+
		"run `xcp config trust %s` after checking it (again after every change)", e.File, e.Key, where, e.File)
}

// Unwrap lets errors.Is(err, ErrUntrusted) match.
func (e *UntrustedError) Unwrap() error { return ErrUntrusted }

// TrustStore returns the file recording trusted configuration files
// (<user config dir>/goxcp/trusted): one line per file, the SHA-256 of its
// contents and its absolute path.
func TrustStore() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config: trust store: %w", err)
	}
	return filepath.Join(dir, "goxcp", "trusted"), nil
}

// fingerprint returns the absolute path of file and the SHA-256 of its
// contents.
func fingerprint(file string) (abs, sum string, err error) {
	if abs, err = filepath.Abs(file); err != nil {
		return "", "", fmt.Errorf("config: %w", err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return "", "", fmt.Errorf("config: %w", err)
	}
	h := sha256.Sum256(data)
	return abs, hex.EncodeToString(h[:]), nil
}

// Trust records file, as it is now, as trusted to start programs: a later
// change of its contents withdraws the trust. It returns the trust store.
func Trust(file string) (string, error) {
	abs, sum, err := fingerprint(file)
	if err != nil {
		return "", err
	}
	store, err := TrustStore()
	if err != nil {
		return "", err
	}
	old, err := os.ReadFile(store)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("config: %w", err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		if _, p, ok := strings.Cut(sc.Text(), " "); ok && p != abs {
			out.WriteString(sc.Text() + "\n")
		}
	}
	fmt.Fprintf(&out, "%s %s\n", sum, abs)
	if err := os.MkdirAll(filepath.Dir(store), 0o700); err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	tmp := store + ".tmp"
	if err := os.WriteFile(tmp, out.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp, store); err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return store, nil
}

// IsTrusted reports whether file, with its current contents, was trusted
// with Trust.
func IsTrusted(file string) (bool, error) {
	abs, sum, err := fingerprint(file)
	if err != nil {
		return false, err
	}
	store, err := TrustStore()
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(store)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("config: %w", err)
	}
	want := sum + " " + abs
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if sc.Text() == want {
			return true, nil
		}
	}
	return false, nil
}

// SetOrigin records how c's file was found: programs it names
// (general.seed_n_key_command) may run if the user chose the file or
// trusted it (Trust); CheckPrograms tells.
func (c *Config) SetOrigin(o Origin) error {
	c.Origin = o
	c.Trusted = o.Chosen()
	if !c.Trusted && c.File != "" {
		ok, err := IsTrusted(c.File)
		if err != nil {
			return err
		}
		c.Trusted = ok
	}
	return nil
}

// CheckPrograms returns an *UntrustedError if c names a program but was
// not loaded from a file that may start programs (Config.Trusted).
func (c *Config) CheckPrograms() error {
	if c.General.SeedNKeyCommand != "" && !c.Trusted {
		return &UntrustedError{File: c.File, Key: "general.seed_n_key_command", Origin: c.Origin}
	}
	return nil
}
