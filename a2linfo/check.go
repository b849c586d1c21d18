package a2linfo

import (
	"fmt"
	"strings"

	asap2 "github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/cal"
)

// CheckReport is the result of Check (what `xcp a2l check` shows).
type CheckReport struct {
	File     string         `json:"file"`
	OK       bool           `json:"ok"`
	Version  string         `json:"asap2_version"`
	Project  string         `json:"project"`
	Counts   map[string]int `json:"counts"` // objects per A2L keyword, in snake_case: "measurement", "axis_pts", ...
	Problems []string       `json:"problems"`
	Warnings []string       `json:"warnings"`
}

// Check checks the A2L file at path as thoroughly as goxcp can: a strict
// parse (ASAP2 1.5-1.71, following /include), then a lenient one that
// lists every problem with file:line:column; the IF_DATA XCP of every
// module and of its memory segments decoded; every COMPU_METHOD turned
// into a conversion (a formula with run-time functions is a warning); the
// layout of every object computed (an object whose only fault is a broken
// COMPU_METHOD is not reported again). Problems make the report not OK;
// warnings (repeated definitions and the like) do not. The error is only
// for a file that cannot be read at all.
func Check(path string) (*CheckReport, error) {
	r := &CheckReport{File: path, Counts: map[string]int{}}
	_, strictErr := asap2.ParseFile(path, asap2.Options{})
	f, err := asap2.ParseFile(path, asap2.Options{Lenient: true})
	if err != nil {
		return nil, err
	}
	parsed := map[string]bool{} // file:line:column of every parser problem
	for _, p := range f.Problems {
		r.Problems = append(r.Problems, p.Error())
		parsed[p.Pos.String()] = true
	}
	if strictErr != nil && len(r.Problems) == 0 {
		r.Problems = append(r.Problems, strictErr.Error())
	}
	for _, w := range f.Warnings {
		r.Warnings = append(r.Warnings, w.Error())
	}
	r.Version = fmt.Sprintf("%d.%d", f.ASAP2Version.Major, f.ASAP2Version.Minor)
	r.Project = f.Project.Name
	for _, m := range f.Modules {
		r.Counts["measurement"] += len(m.Measurements)
		r.Counts["characteristic"] += len(m.Characteristics)
		r.Counts["axis_pts"] += len(m.AxisPts)
		r.Counts["compu_method"] += len(m.CompuMethods)
		r.Counts["record_layout"] += len(m.RecordLayouts)
		r.Counts["typedef_structure"] += len(m.TypedefStructures)
		r.Counts["instance"] += len(m.Instances)
		r.Counts["group"] += len(m.Groups)
		if _, err := ifxcp.Decode(m); err != nil {
			r.Problems = append(r.Problems, err.Error())
		}
		for _, s := range m.ModPar.MemorySegments {
			if _, err := ifxcp.DecodeSegment(s); err != nil {
				r.Problems = append(r.Problems, err.Error())
			}
		}
		badConv := map[string]bool{}
		for _, cm := range m.CompuMethods {
			c, err := conv.FromMethod(m, cm)
			switch {
			case err != nil:
				badConv[cm.Name] = true
				if !mentions(f.Problems, "COMPU_METHOD "+cm.Name+" ") { // the parser has not said it already
					r.Problems = append(r.Problems, cm.Pos.String()+": "+err.Error())
				}
			case c.RuntimeFunc() != "":
				r.Warnings = append(r.Warnings, fmt.Sprintf("%s: COMPU_METHOD %s: formula %q uses %s(), which needs the measurement's run-time context: its physical values cannot be computed from raw values alone", cm.Pos, cm.Name, cm.Formula, c.RuntimeFunc()))
			}
		}
		for _, n := range m.Names() {
			if _, err := cal.Describe(m, n); err != nil {
				if usesBadConv(err, badConv) {
					continue // reported once with the COMPU_METHOD
				}
				msg := err.Error()
				if o, rerr := m.Resolve(n); rerr == nil {
					if parsed[o.Pos().String()] {
						continue // the parser reported this object's problem already
					}
					msg = o.Pos().String() + ": " + msg
				}
				r.Problems = append(r.Problems, msg)
			}
		}
	}
	r.OK = len(r.Problems) == 0
	return r, nil
}

// CountKinds are the keys of CheckReport.Counts (the A2L keywords in
// lower case, snake_case like every JSON key goxcp writes), in the order
// to show them.
func CountKinds() []string {
	return []string{"measurement", "characteristic", "axis_pts", "compu_method", "record_layout", "typedef_structure", "instance", "group"}
}

// usesBadConv reports whether err comes from one of the COMPU_METHODs
// whose own problem is already reported.
func usesBadConv(err error, bad map[string]bool) bool {
	msg := err.Error()
	for name := range bad {
		if strings.Contains(msg, "conv: COMPU_METHOD "+name+" (") {
			return true
		}
	}
	return false
}

// mentions reports whether one of the problems contains s.
func mentions(problems []*asap2.Problem, s string) bool {
	for _, p := range problems {
		if strings.Contains(p.Msg, s) {
			return true
		}
	}
	return false
}
