package master

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// extState is what the command methods learn during a session: the
// communication mode details, the programming format and the checksum
// block limit. Guarded by m.mu; reset at CONNECT.
type extState struct {
	commValid bool // comm was asked (or is known to be unavailable)
	comm      xcp.GetCommModeInfoResponse

	pgmValid bool
	pgm      xcp.ProgramStartResponse

	checksumLimit uint32 // MAX_CHECKSUM_BLOCKSIZE in elements learnt from ERR_OUT_OF_RANGE (0 = unknown)

	// Reusable buffers for master block mode: packets and their slices.
	blockBuf  []byte
	blockReqs [][]byte
}

func (e *extState) reset() {
	buf, reqs := e.blockBuf, e.blockReqs
	*e = extState{blockBuf: buf[:0], blockReqs: reqs[:0]}
}

// opErr wraps err as "master: OP: err".
func opErr(op string, err error) error { return fmt.Errorf("master: %s: %w", op, err) }

// do1 runs one single-packet command through the error matrix. Callers
// hold m.mu; the result aliases an internal buffer until the next command.
func (m *Master) do1(ctx context.Context, req []byte) ([]byte, error) {
	reqs := [1][]byte{req}
	return m.call(ctx, reqs[:], 0, CallOptions{})
}

// needSession reports ErrNotConnected before CONNECT. Callers hold m.mu.
func (m *Master) needSession(op string) error {
	if !m.connected {
		return opErr(op, ErrNotConnected)
	}
	return nil
}

// simple runs a command whose positive response carries nothing.
func (m *Master) simple(ctx context.Context, op string, req []byte) error {
	if err := m.needSession(op); err != nil {
		return err
	}
	p, err := m.do1(ctx, req)
	if err != nil {
		return opErr(op, err)
	}
	var ok xcp.OKResponse
	if err := ok.Decode(p, m.format); err != nil {
		return opErr(op, err)
	}
	return nil
}

// commMode returns the GET_COMM_MODE_INFO answer, asking once per session
// when CONNECT announced optional communication modes. A slave without
// GET_COMM_MODE_INFO gives the zero value (no master block mode).
func (m *Master) commMode(ctx context.Context) (xcp.GetCommModeInfoResponse, error) {
	if m.ext.commValid {
		return m.ext.comm, nil
	}
	if m.conn0.CommModeBasic&xcp.CommModeOptional == 0 {
		m.ext.commValid = true
		return m.ext.comm, nil
	}
	r, err := m.getCommModeInfo(ctx)
	if errors.Is(err, xcp.ErrCmdUnknown) {
		m.ext.commValid = true
		return m.ext.comm, nil
	}
	return r, err
}

func (m *Master) getCommModeInfo(ctx context.Context) (xcp.GetCommModeInfoResponse, error) {
	var r xcp.GetCommModeInfoResponse
	p, err := m.do1(ctx, xcp.GetCommModeInfo{}.Append(m.req[:0], m.format))
	if err != nil {
		return r, err
	}
	if err := r.Decode(p, m.format); err != nil {
		return r, err
	}
	m.ext.comm, m.ext.commValid = r, true
	return r, nil
}

// blockPlan describes how a master block mode transfer is cut: at most
// elems elements per block in packets of per elements, gap apart.
type blockPlan struct {
	per   int // elements per packet
	elems int // elements per block (1 packet if no block mode)
	gap   time.Duration
}

// planBlocks returns the transfer plan for DOWNLOAD (pgm false) or PROGRAM
// (pgm true) in format f.
func (m *Master) planBlocks(ctx context.Context, f xcp.Format, pgm bool) (blockPlan, error) {
	per := f.MaxDownloadElements()
	plan := blockPlan{per: per, elems: per}
	var block bool
	var maxBS, minST uint8
	if pgm {
		block = m.ext.pgm.CommModePgm&xcp.CommModeMasterBlockMode != 0
		maxBS, minST = m.ext.pgm.MaxBSPgm, m.ext.pgm.MinSTPgm
	} else {
		c, err := m.commMode(ctx)
		if err != nil {
			return plan, err
		}
		block, maxBS, minST = c.MasterBlockMode(), c.MaxBS, c.MinST
	}
	if block && maxBS > 1 {
		plan.elems = min(255, int(maxBS)*per) / per * per // whole packets only
		plan.gap = time.Duration(minST) * 100 * time.Microsecond
	}
	return plan, nil
}
