package pgm

import (
	"bytes"
	"context"
	"fmt"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Verify selects how Run checks the programmed data.
type Verify uint8

// The verification methods.
const (
	// VerifyChecksum compares BUILD_CHECKSUM over every written range with
	// the checksum computed locally (master.Verify).
	VerifyChecksum Verify = iota
	// VerifyUpload reads every written range back (UPLOAD) and compares.
	VerifyUpload
	// VerifyInternal sends PROGRAM_VERIFY mode 0: the slave runs its own
	// verification routine.
	VerifyInternal
	// VerifyNone skips verification.
	VerifyNone
)

// ParseVerify accepts "checksum", "upload", "internal" and "none".
func ParseVerify(s string) (Verify, error) {
	for _, v := range []Verify{VerifyChecksum, VerifyUpload, VerifyInternal, VerifyNone} {
		if v.String() == s {
			return v, nil
		}
	}
	return 0, fmt.Errorf("pgm: unknown verification %q (checksum, upload, internal or none)", s)
}

func (v Verify) String() string {
	switch v {
	case VerifyChecksum:
		return "checksum"
	case VerifyUpload:
		return "upload"
	case VerifyInternal:
		return "internal"
	case VerifyNone:
		return "none"
	}
	return fmt.Sprintf("Verify(%d)", uint8(v))
}

// Phase is a step of the programming session.
type Phase string

// The phases, in order.
const (
	PhaseStart   Phase = "start"
	PhaseClear   Phase = "clear"
	PhaseProgram Phase = "program"
	PhaseVerify  Phase = "verify"
	PhaseReset   Phase = "reset"
)

// Progress is reported to Options.Progress: Done of Total Units of the
// current phase.
type Progress struct {
	Phase       Phase
	Done, Total int
	Unit        string // "bytes", "sectors", or "" for a phase of one step
}

// Options control Run.
type Options struct {
	Verify  Verify
	NoReset bool // leave out PROGRAM_RESET (the session stays in programming state)
	// Progress, if set, is called on Run's goroutine after each step.
	Progress func(Progress)
	// Chunk is the number of bytes programmed per progress step (0 = 1 KiB;
	// rounded to whole address granularity units).
	Chunk int
}

// StepError names the phase and address where a programming session
// failed; it unwraps to the master's error.
type StepError struct {
	Phase Phase
	Addr  uint32
	Err   error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("pgm: %s at 0x%08X: %v", e.Phase, e.Addr, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// Run executes plan on m: PROGRAM_START, PROGRAM_CLEAR (per sector in
// clear sequence order, or one functional clear), PROGRAM of each write
// followed by PROGRAM with size 0, the verification, then PROGRAM_RESET
// unless opts.NoReset. After the reset the slave has ended the session.
func Run(ctx context.Context, m *master.Master, plan *Plan, opts Options) error {
	report := func(ph Phase, done, total int, unit string) {
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: ph, Done: done, Total: total, Unit: unit})
		}
	}
	report(PhaseStart, 0, 1, "")
	if _, err := m.ProgramStart(ctx); err != nil {
		return &StepError{Phase: PhaseStart, Err: err}
	}
	report(PhaseStart, 1, 1, "")
	if err := clear(ctx, m, plan, report); err != nil {
		return err
	}
	total := plan.Bytes()
	ag := max(plan.Layout.AG, 1)
	chunk := opts.Chunk
	if chunk <= 0 {
		chunk = 1024
	}
	chunk = max(ag, chunk-chunk%ag)
	done := 0
	report(PhaseProgram, 0, total, "bytes")
	for _, w := range plan.Writes {
		if err := m.SetMTA(ctx, w.Addr, 0); err != nil {
			return &StepError{Phase: PhaseProgram, Addr: w.Addr, Err: err}
		}
		for off := 0; off < len(w.Data); off += chunk {
			part := w.Data[off:min(off+chunk, len(w.Data))]
			if err := m.Program(ctx, part); err != nil {
				return &StepError{Phase: PhaseProgram, Addr: w.Addr + uint32(off), Err: err}
			}
			done += len(part)
			report(PhaseProgram, done, total, "bytes")
		}
		if err := m.ProgramEnd(ctx); err != nil {
			return &StepError{Phase: PhaseProgram, Addr: uint32(w.End()), Err: err}
		}
	}
	if err := verify(ctx, m, plan, opts.Verify, report); err != nil {
		return err
	}
	if opts.NoReset {
		return nil
	}
	report(PhaseReset, 0, 1, "")
	if err := m.ProgramReset(ctx); err != nil {
		return &StepError{Phase: PhaseReset, Err: err}
	}
	report(PhaseReset, 1, 1, "")
	return nil
}

func clear(ctx context.Context, m *master.Master, plan *Plan, report func(Phase, int, int, string)) error {
	if plan.Mode == ClearFunctional {
		report(PhaseClear, 0, 1, "")
		if err := m.ProgramClear(ctx, xcp.ClearFunctional, plan.Mask); err != nil {
			return &StepError{Phase: PhaseClear, Err: err}
		}
		report(PhaseClear, 1, 1, "")
		return nil
	}
	ag := uint32(max(plan.Layout.AG, 1))
	report(PhaseClear, 0, len(plan.Clear), "sectors")
	for i, s := range plan.Clear {
		if err := m.SetMTA(ctx, s.Start, 0); err != nil {
			return &StepError{Phase: PhaseClear, Addr: s.Start, Err: err}
		}
		if err := m.ProgramClear(ctx, xcp.ClearAbsolute, s.Length/ag); err != nil {
			return &StepError{Phase: PhaseClear, Addr: s.Start, Err: err}
		}
		report(PhaseClear, i+1, len(plan.Clear), "sectors")
	}
	return nil
}

// MismatchError reports read-back data that differs from the image.
type MismatchError struct {
	Addr      uint32 // first differing address
	Got, Want byte
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("pgm: verify: 0x%08X reads 0x%02X, image has 0x%02X", e.Addr, e.Got, e.Want)
}

func verify(ctx context.Context, m *master.Master, plan *Plan, v Verify, report func(Phase, int, int, string)) error {
	switch v {
	case VerifyNone:
		return nil
	case VerifyInternal:
		report(PhaseVerify, 0, 1, "")
		if err := m.ProgramVerify(ctx, xcp.VerifyInternal, 0, 0); err != nil {
			return &StepError{Phase: PhaseVerify, Err: err}
		}
		report(PhaseVerify, 1, 1, "")
		return nil
	case VerifyChecksum, VerifyUpload:
	default:
		return fmt.Errorf("pgm: unknown verification %d", v)
	}
	total, done := plan.Bytes(), 0
	report(PhaseVerify, 0, total, "bytes")
	for _, w := range plan.Writes {
		if v == VerifyChecksum {
			if err := m.Verify(ctx, w.Addr, 0, w.Data); err != nil {
				return &StepError{Phase: PhaseVerify, Addr: w.Addr, Err: err}
			}
		} else {
			got, err := m.Read(ctx, w.Addr, 0, len(w.Data))
			if err != nil {
				return &StepError{Phase: PhaseVerify, Addr: w.Addr, Err: err}
			}
			if !bytes.Equal(got, w.Data) {
				i := 0
				for got[i] == w.Data[i] {
					i++
				}
				return &MismatchError{Addr: w.Addr + uint32(i), Got: got[i], Want: w.Data[i]}
			}
		}
		done += len(w.Data)
		report(PhaseVerify, done, total, "bytes")
	}
	return nil
}
