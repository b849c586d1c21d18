package master

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Non-volatile memory programming commands (PGM).

// ProgramStart sends PROGRAM_START and adopts the programming
// communication parameters (MAX_CTO_PGM, master block mode with MAX_BS_PGM
// and MIN_ST_PGM) for Program.
func (m *Master) ProgramStart(ctx context.Context) (xcp.ProgramStartResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.ProgramStartResponse
	if err := m.query(ctx, "PROGRAM_START", xcp.ProgramStart{}.Append(m.req[:0], m.format), &r); err != nil {
		return r, err
	}
	m.ext.pgm, m.ext.pgmValid = r, true
	if int(r.MaxCTOPgm) > cap(m.req) {
		m.req = make([]byte, 0, int(r.MaxCTOPgm))
	}
	return r, nil
}

// pgmFormat is the session format with MAX_CTO_PGM.
func (m *Master) pgmFormat() xcp.Format { return m.ext.pgm.Format(m.format) }

// ProgramClear clears memory: in xcp.ClearAbsolute mode rng elements from
// the MTA, in xcp.ClearFunctional mode the functional areas in the mask rng.
func (m *Master) ProgramClear(ctx context.Context, mode uint8, rng uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "PROGRAM_CLEAR", xcp.ProgramClear{Mode: mode, Range: rng}.Append(m.req[:0], m.format))
}

// ErrNoProgramStart is returned by the PROGRAM commands before ProgramStart.
var ErrNoProgramStart = errors.New("master: PROGRAM_START has not been sent in this session")

// Program programs data at the MTA, of any length (a multiple of the
// address granularity): PROGRAM packets of MAX_CTO_PGM, in master block
// mode (PROGRAM + PROGRAM_NEXT within MAX_BS_PGM and MIN_ST_PGM) when the
// slave offers it. It does not end the sequence; call ProgramEnd.
func (m *Master) Program(ctx context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("PROGRAM"); err != nil {
		return err
	}
	if !m.ext.pgmValid {
		return opErr("PROGRAM", ErrNoProgramStart)
	}
	if err := m.checkLen("PROGRAM", len(data)); err != nil {
		return err
	}
	f := m.pgmFormat()
	plan, err := m.planBlocks(ctx, f, true)
	if err != nil {
		return opErr("PROGRAM", err)
	}
	ag := f.AG.Size()
	elems := len(data) / ag
	for off := 0; off < elems; {
		n := min(plan.elems, elems-off)
		if err := m.downloadBlock(ctx, data[off*ag:(off+n)*ag], f, plan, xcp.CmdProgram, xcp.CmdProgramNext); err != nil {
			return fmt.Errorf("%w (programming at offset %d)", err, off*ag)
		}
		off += n
	}
	return nil
}

// ProgramEnd sends PROGRAM with size 0, which ends the programming sequence.
func (m *Master) ProgramEnd(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "PROGRAM", xcp.Program{}.Append(m.req[:0], m.pgmFormat()))
}

// ProgramNext sends one PROGRAM_NEXT packet of a block the caller drives
// (see DownloadNext).
func (m *Master) ProgramNext(ctx context.Context, remaining uint8, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("PROGRAM_NEXT"); err != nil {
		return err
	}
	f := m.pgmFormat()
	c := xcp.ProgramNext{N: remaining, Data: data}
	if err := c.Validate(f); err != nil {
		return opErr("PROGRAM_NEXT", err)
	}
	req := c.Append(m.req[:0], f)
	if len(data)/f.AG.Size() < int(remaining) {
		if err := m.conn.Send(ctx, req); err != nil {
			return opErr("PROGRAM_NEXT", err)
		}
	} else if _, err := m.do1(ctx, req); err != nil {
		return opErr("PROGRAM_NEXT", err)
	}
	m.advanceMTA(len(data) / f.AG.Size())
	return nil
}

// ProgramMax programs exactly one full packet (of MAX_CTO_PGM) at the MTA.
func (m *Master) ProgramMax(ctx context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.pgmFormat()
	c := xcp.ProgramMax{Data: data}
	if err := c.Validate(f); err != nil {
		return opErr("PROGRAM_MAX", err)
	}
	if err := m.simple(ctx, "PROGRAM_MAX", c.Append(m.req[:0], f)); err != nil {
		return err
	}
	m.advanceMTA(len(data) / f.AG.Size())
	return nil
}

// ProgramReset sends PROGRAM_RESET. The slave resets and may not answer; a
// timeout is therefore not an error. The session ends either way.
func (m *Master) ProgramReset(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("PROGRAM_RESET"); err != nil {
		return err
	}
	reqs := [1][]byte{xcp.ProgramReset{}.Append(m.req[:0], m.format)}
	_, err := m.call(ctx, reqs[:], 0, CallOptions{NoRetry: true})
	m.connected = false
	if err != nil && !errors.Is(err, xcp.ErrTimeout) {
		return opErr("PROGRAM_RESET", err)
	}
	return nil
}

// GetPgmProcessorInfo returns the PGM properties and the number of sectors.
func (m *Master) GetPgmProcessorInfo(ctx context.Context) (xcp.GetPgmProcessorInfoResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetPgmProcessorInfoResponse
	err := m.query(ctx, "GET_PGM_PROCESSOR_INFO", xcp.GetPgmProcessorInfo{}.Append(m.req[:0], m.format), &r)
	return r, err
}

// GetSectorInfo returns the start address (mode xcp.SectorInfoStart) or
// length (xcp.SectorInfoLength) of sector with its clear and program
// sequence numbers and programming method.
func (m *Master) GetSectorInfo(ctx context.Context, mode, sector uint8) (xcp.GetSectorInfoResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetSectorInfoResponse
	if mode == xcp.SectorInfoNameLength {
		return r, opErr("GET_SECTOR_INFO", fmt.Errorf("mode 2 returns the name length; use SectorName"))
	}
	err := m.query(ctx, "GET_SECTOR_INFO", xcp.GetSectorInfo{Mode: mode, Sector: sector}.Append(m.req[:0], m.format), &r)
	return r, err
}

// SectorName returns the name of sector: GET_SECTOR_INFO mode 2 gives its
// length and sets the MTA, from where the name is uploaded.
func (m *Master) SectorName(ctx context.Context, sector uint8) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetSectorNameLengthResponse
	c := xcp.GetSectorInfo{Mode: xcp.SectorInfoNameLength, Sector: sector}
	if err := m.query(ctx, "GET_SECTOR_INFO", c.Append(m.req[:0], m.format), &r); err != nil {
		return "", err
	}
	m.mta = mtaState{}
	if r.NameLength == 0 {
		return "", nil
	}
	b, err := m.uploadBytes(ctx, int(r.NameLength), nil)
	return string(b), err
}

// ProgramPrepare announces codeSize elements of flash kernel to be
// downloaded to the MTA.
func (m *Master) ProgramPrepare(ctx context.Context, codeSize uint16) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "PROGRAM_PREPARE", xcp.ProgramPrepare{CodeSize: codeSize}.Append(m.req[:0], m.format))
}

// ProgramFormat selects the data format of the following PROGRAM commands.
func (m *Master) ProgramFormat(ctx context.Context, c xcp.ProgramFormat) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "PROGRAM_FORMAT", c.Append(m.req[:0], m.format))
}

// ProgramVerify sends PROGRAM_VERIFY (xcp.VerifyInternal starts the
// slave's verification routine; xcp.VerifyValue sends a value of type typ).
func (m *Master) ProgramVerify(ctx context.Context, mode uint8, typ uint16, value uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "PROGRAM_VERIFY", xcp.ProgramVerify{Mode: mode, Type: typ, Value: value}.Append(m.req[:0], m.format))
}
