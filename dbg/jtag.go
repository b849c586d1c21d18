package dbg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/swdbg"
)

// SequenceMultiple sends one DBG_SEQUENCE_MULTIPLE and returns the
// per-sequence results. A JPL error is a *swdbg.Error (ERR_DBG_JPL) whose
// Results tell which sequence failed.
func (s *Session) SequenceMultiple(ctx context.Context, c swdbg.SequenceMultiple) ([]swdbg.SeqResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sequence(ctx, c)
}

func (s *Session) sequence(ctx context.Context, c swdbg.SequenceMultiple) ([]swdbg.SeqResult, error) {
	if err := s.checkLevel("dbg: DBG_SEQUENCE_MULTIPLE"); err != nil {
		return nil, err
	}
	if c.Len() > int(s.info.MaxCTODbg) {
		return nil, fmt.Errorf("dbg: DBG_SEQUENCE_MULTIPLE of %d bytes exceeds MAX_CTO_DBG %d", c.Len(), s.info.MaxCTODbg)
	}
	clocks := 0
	for i, seq := range c.Sequences {
		cmds, err := swdbg.ParseJPL(seq)
		if err != nil {
			return nil, fmt.Errorf("dbg: JPL sequence %d: %w", i, err)
		}
		for _, cmd := range cmds {
			clocks += cmd.Clocks()
			if d, ok := cmd.(*swdbg.JPLData); ok {
				clocks += d.WorstClocks() - d.Clocks()
			}
		}
	}
	s.budget(fmt.Sprintf("JPL %d TCK", clocks), time.Duration(float64(clocks)/s.cfg.TCK*float64(time.Second)))
	p, err := s.exec(ctx, swdbg.CmdSequenceMultiple, c.Append(nil, s.f))
	if err != nil {
		return nil, err
	}
	var r swdbg.SequenceMultipleResponse
	if err := r.Decode(p, s.f); err != nil {
		return nil, fmt.Errorf("dbg: DBG_SEQUENCE_MULTIPLE: %w", err)
	}
	if len(r.Results) != len(c.Sequences) {
		return r.Results, fmt.Errorf("dbg: DBG_SEQUENCE_MULTIPLE: %d results for %d sequences", len(r.Results), len(c.Sequences))
	}
	return r.Results, nil
}

// RunJPL executes encoded JPL sequences, packed into as few
// DBG_SEQUENCE_MULTIPLE commands as MAX_CTO_DBG allows (bus request in the
// first, release in the last; init holds the TMS/TDI init levels).
func (s *Session) RunJPL(ctx context.Context, seqs [][]byte, init uint8) ([]swdbg.SeqResult, error) {
	// Table 33: with the bus released at the end the TAP must be back in
	// Run-Test/Idle (the slave puts it there before the first sequence).
	end, err := swdbg.EndState(swdbg.RunTestIdle, seqs)
	if err != nil {
		return nil, fmt.Errorf("dbg: %w", err)
	}
	if end != swdbg.RunTestIdle {
		return nil, fmt.Errorf("dbg: the JPL sequences end in %s; they must return to Run-Test/Idle before the JTAG bus is released", end)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds, err := swdbg.PackSequences(seqs, init, int(s.info.MaxCTODbg))
	if err != nil {
		return nil, fmt.Errorf("dbg: %w", err)
	}
	var out []swdbg.SeqResult
	for _, c := range cmds {
		r, err := s.sequence(ctx, c)
		out = append(out, r...)
		if err != nil {
			var e *swdbg.Error
			if errors.As(err, &e) {
				out = append(out, e.Results...)
			}
			return out, err
		}
	}
	return out, nil
}

// ScanIDCODE reads the 32-bit IDCODE register through the TAP with JPL:
// reset to Run-Test/Idle (which selects IDCODE), then a 32-bit DR scan.
func (s *Session) ScanIDCODE(ctx context.Context) (uint32, error) {
	b := swdbg.NewJPLBuilder().ResetToIdle().ScanDR(swdbg.Bits{N: 32, V: make([]byte, 4)}, swdbg.RunTestIdle, true)
	seqs, err := b.Sequences()
	if err != nil {
		return 0, err
	}
	r, err := s.RunJPL(ctx, seqs, 0)
	if err != nil {
		return 0, err
	}
	if len(r) == 0 {
		return 0, fmt.Errorf("dbg: IDCODE scan returned no result")
	}
	return r[len(r)-1].TDO, nil
}

// LLT sends low level telegrams (DBG_LLT) and returns the responses. A
// list longer than MAX_CTO_DBG allows is split into several commands
// (atomic per command only).
func (s *Session) LLT(ctx context.Context, mode uint8, tels []swdbg.Telegram) ([]swdbg.TelegramResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLevel("dbg: DBG_LLT"); err != nil {
		return nil, err
	}
	maxCTO := int(s.info.MaxCTODbg)
	var out []swdbg.TelegramResponse
	for len(tels) > 0 {
		c := swdbg.LLT{Mode: mode}
		for len(tels) > 0 && len(c.Telegrams) < 255 {
			next := swdbg.LLT{Mode: mode, Telegrams: append(c.Telegrams[:len(c.Telegrams):len(c.Telegrams)], tels[0])}
			if next.Len() > maxCTO || next.ResponseLen() > maxCTO {
				break
			}
			c, tels = next, tels[1:]
		}
		if len(c.Telegrams) == 0 {
			return out, fmt.Errorf("dbg: DBG_LLT: telegram (CMD 0x%02X, %d bits) does not fit MAX_CTO_DBG %d", tels[0].Cmd, tels[0].Bits, maxCTO)
		}
		bits := 0
		for _, t := range c.Telegrams {
			bits += 8 + int(t.Bits) + int(t.RespBits) // start bit, CRC and lengths ≈ 8
		}
		s.budget(fmt.Sprintf("LLT %d telegrams", len(c.Telegrams)), time.Duration(float64(bits)/s.cfg.TCK*float64(time.Second)))
		p, err := s.exec(ctx, swdbg.CmdLLT, c.Append(nil, s.f))
		if err != nil {
			return out, err
		}
		var r swdbg.LLTResponse
		if err := r.Decode(p, s.f); err != nil {
			return out, fmt.Errorf("dbg: DBG_LLT: %w", err)
		}
		if len(r.Telegrams) != len(c.Telegrams) {
			return out, fmt.Errorf("dbg: DBG_LLT: %d responses for %d telegrams", len(r.Telegrams), len(c.Telegrams))
		}
		for i, t := range r.Telegrams {
			if t.Bits != c.Telegrams[i].RespBits {
				return out, fmt.Errorf("dbg: DBG_LLT: telegram %d answered %d bits, %d expected", i+1, t.Bits, c.Telegrams[i].RespBits)
			}
			out = append(out, swdbg.TelegramResponse{Bits: t.Bits, Data: append([]byte(nil), t.Data...)})
		}
	}
	return out, nil
}
