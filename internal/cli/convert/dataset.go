package convert

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record/dataset"
)

// DatasetEntry is one source in the --dataset summary.
type DatasetEntry struct {
	Source    string `json:"source"`
	Status    string `json:"status"` // added, duplicate, failed, damaged
	Recording string `json:"recording,omitempty"`
	ECU       string `json:"ecu,omitempty"`
	Rows      uint64 `json:"rows"`
	Files     int    `json:"files"`
	Error     string `json:"error,omitempty"`
}

// DatasetSummary is the output of `xcp convert --dataset`.
type DatasetSummary struct {
	Dataset  string         `json:"dataset"`
	Manifest string         `json:"manifest"`
	Added    int            `json:"added"`
	Rows     uint64         `json:"rows"`
	Sources  []DatasetEntry `json:"sources"`
}

func runDataset(ctx context.Context, opts *Options) error {
	res, err := dataset.Build(ctx, opts.Dataset, opts.Files, dataset.Options{Workers: opts.Workers, ECU: opts.ECU, Raw: opts.Raw})
	if err != nil && res == nil {
		return err
	}
	s := DatasetSummary{Dataset: opts.Dataset, Manifest: dataset.ManifestName}
	failed := 0
	for _, r := range res {
		e := DatasetEntry{Source: r.Source}
		switch {
		case r.Duplicate != nil:
			e.Status = "duplicate"
			e.Error = "already in the dataset (same content as " + r.Duplicate.Source + ")"
		case r.Recording != nil:
			e.Status = "added"
			e.Recording, e.ECU, e.Rows, e.Files = r.Recording.Recording, r.Recording.ECU, r.Recording.Rows, len(r.Recording.Files)
			s.Added++
			s.Rows += e.Rows
			if r.Err != nil {
				e.Status, e.Error = "damaged", r.Err.Error()
				failed++
			}
		default:
			e.Status = "failed"
			failed++
			if r.Err != nil {
				e.Error = r.Err.Error()
			}
		}
		if e.Error != "" && e.Status != "duplicate" {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s: %s\n", r.Source, e.Error)
		}
		s.Sources = append(s.Sources, e)
	}
	t := cmdutil.Table{Header: []string{"source", "status", "ecu", "rows", "files"}}
	for _, e := range s.Sources {
		t.Add(e.Source, e.Status, e.ECU, strconv.FormatUint(e.Rows, 10), strconv.Itoa(e.Files))
	}
	kv := cmdutil.KV("", "dataset", s.Dataset, "recordings added", strconv.Itoa(s.Added), "rows added", strconv.FormatUint(s.Rows, 10))
	if perr := opts.Printer(opts.JSON).Print(s, kv, t); perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return errors.New("convert --dataset: " + strconv.Itoa(failed) + " of " + strconv.Itoa(len(res)) + " recordings failed or were damaged (see the warnings)")
	}
	return nil
}
