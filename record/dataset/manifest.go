package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// ManifestName is the manifest's file name in the dataset directory (the
// leading underscore makes Spark and Hive skip it).
const ManifestName = "_goxcp_manifest.json"

// ManifestVersion is the version of the manifest format.
const ManifestVersion = 1

// Column types of the dataset schema.
const (
	TypeString = "string"
	TypeInt64  = "int64"
	TypeDouble = "double"
)

// Column is one column of a list's schema.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // TypeString, TypeInt64 or TypeDouble
	Unit string `json:"unit,omitempty"`
	// Nullable is true for ecu_ns (lists without ECU timestamps).
	Nullable bool `json:"nullable,omitempty"`
}

// File is one Parquet file of the dataset.
type File struct {
	Path string `json:"path"` // relative to the dataset directory, with '/'
	List string `json:"list"`
	ECU  string `json:"ecu"`
	Date string `json:"date"`
	Rows uint64 `json:"rows"`
}

// Recording is one recording added to the dataset.
type Recording struct {
	// Recording is the value of the recording column: the source's file
	// name.
	Recording string `json:"recording"`
	// ID names the recording's files: the file name's stem and the start
	// of its SHA-256.
	ID     string    `json:"id"`
	Source string    `json:"source"` // the path it was added from
	SHA256 string    `json:"sha256"`
	Size   int64     `json:"size"`
	ECU    string    `json:"ecu"`
	Start  time.Time `json:"start"`
	Added  time.Time `json:"added"`
	Rows   uint64    `json:"rows"`
	Files  []File    `json:"files"`
	// Damage says why the recording ended early (what was intact is in
	// the dataset); empty for a complete recording.
	Damage string `json:"damage,omitempty"`
}

// Manifest lists the dataset's schemas and recordings.
type Manifest struct {
	Version    int                 `json:"version"`
	Lists      map[string][]Column `json:"lists"` // schema per list name
	Recordings []Recording         `json:"recordings"`
}

// ReadManifest reads the manifest of the dataset in dir; a directory
// without one gives an empty manifest.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{Version: ManifestVersion, Lists: map[string][]Column{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Version < 1 || m.Version > ManifestVersion {
		return nil, fmt.Errorf("dataset: %s: manifest version %d (this goxcp knows up to %d)", filepath.Join(dir, ManifestName), m.Version, ManifestVersion)
	}
	if m.Lists == nil {
		m.Lists = map[string][]Column{}
	}
	return &m, nil
}

// write replaces the manifest in dir atomically.
func (m *Manifest) write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	tmp := filepath.Join(dir, "."+ManifestName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName)); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// has reports whether a recording with this content is in the dataset.
func (m *Manifest) has(sha string) *Recording {
	i := slices.IndexFunc(m.Recordings, func(r Recording) bool { return r.SHA256 == sha })
	if i < 0 {
		return nil
	}
	return &m.Recordings[i]
}

// SchemaError means a recording's list does not fit the schema the
// dataset has for that list.
type SchemaError struct {
	List      string
	Want, Got []Column
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("dataset: list %q: columns %s differ from the dataset's %s", e.List, names(e.Got), names(e.Want))
}

func names(cs []Column) string {
	s := "("
	for i, c := range cs {
		if i > 0 {
			s += ", "
		}
		s += c.Name + " " + c.Type
	}
	return s + ")"
}
