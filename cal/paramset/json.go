package paramset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// jsonFormat names goxcp's JSON parameter set files.
const jsonFormat = "goxcp parameter set"

type jsonFile struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Source  string  `json:"source,omitempty"`
	Items   []*Item `json:"items"`
}

func readJSON(data []byte) (*Set, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f jsonFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("paramset: json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("paramset: json: data after the parameter set")
	}
	if f.Format != jsonFormat {
		return nil, fmt.Errorf("paramset: json: format %q, want %q", f.Format, jsonFormat)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("paramset: json: version %d not supported (this goxcp reads version 1)", f.Version)
	}
	return &Set{Source: f.Source, Items: f.Items}, nil
}

func writeJSON(w io.Writer, s *Set) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	items := s.Items
	if items == nil {
		items = []*Item{}
	}
	if err := enc.Encode(jsonFile{Format: jsonFormat, Version: 1, Source: s.Source, Items: items}); err != nil {
		return fmt.Errorf("paramset: json: %w", err)
	}
	return nil
}
