package master

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Standard commands besides CONNECT, DISCONNECT and seed & key
// (session.go).

// GetStatus sends GET_STATUS: session status, locked resources, state
// number and session configuration id.
func (m *Master) GetStatus(ctx context.Context) (xcp.GetStatusResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.getStatus(ctx)
}

func (m *Master) getStatus(ctx context.Context) (xcp.GetStatusResponse, error) {
	var r xcp.GetStatusResponse
	if err := m.needSession("GET_STATUS"); err != nil {
		return r, err
	}
	p, err := m.do1(ctx, xcp.GetStatus{}.Append(m.req[:0], m.format))
	if err != nil {
		return r, opErr("GET_STATUS", err)
	}
	if err := r.Decode(p, m.format); err != nil {
		return r, opErr("GET_STATUS", err)
	}
	m.lastProtection = r.Protection
	return r, nil
}

// Synch sends SYNCH, which a slave answers with ERR_CMD_SYNCH; that answer
// is success. Use it to resynchronise the command processor after a lost
// response.
func (m *Master) Synch(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("SYNCH"); err != nil {
		return err
	}
	reqs := [1][]byte{xcp.Synch{}.Append(m.req[:0], m.format)}
	_, err := m.call(ctx, reqs[:], 0, CallOptions{Responses: synchAbsorb})
	if err == nil || errors.Is(err, xcp.ErrCmdSynch) {
		return nil
	}
	return opErr("SYNCH", err)
}

// GetCommModeInfo sends GET_COMM_MODE_INFO: master block mode (MAX_BS,
// MIN_ST), interleaved mode and the driver version. Write uses the answer
// for master block mode.
func (m *Master) GetCommModeInfo(ctx context.Context) (xcp.GetCommModeInfoResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("GET_COMM_MODE_INFO"); err != nil {
		return xcp.GetCommModeInfoResponse{}, err
	}
	r, err := m.getCommModeInfo(ctx)
	if err != nil {
		return r, opErr("GET_COMM_MODE_INFO", err)
	}
	return r, nil
}

// GetIDInfo sends GET_ID and returns the raw response: the mode says
// whether the identification is inline (Data, a copy) or must be uploaded
// from the MTA the slave has set (Length bytes). Most callers want GetID.
func (m *Master) GetIDInfo(ctx context.Context, typ xcp.IDType) (xcp.GetIDResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.getIDInfo(ctx, typ)
	r.Data = append([]byte(nil), r.Data...)
	return r, err
}

func (m *Master) getIDInfo(ctx context.Context, typ xcp.IDType) (xcp.GetIDResponse, error) {
	var r xcp.GetIDResponse
	if err := m.needSession("GET_ID"); err != nil {
		return r, err
	}
	p, err := m.do1(ctx, xcp.GetID{Type: typ}.Append(m.req[:0], m.format))
	if err != nil {
		return r, opErr(fmt.Sprintf("GET_ID %s", typ), err)
	}
	if err := r.Decode(p, m.format); err != nil {
		return r, opErr(fmt.Sprintf("GET_ID %s", typ), err)
	}
	if !r.Inline() {
		m.mta = mtaState{} // the slave moved the MTA to the identification
	}
	return r, nil
}

// ErrNoID is returned by GetID and FetchA2L when the slave has no
// identification of the requested type (length 0).
var ErrNoID = errors.New("master: the slave offers no identification of this type")

// GetID returns the identification of type typ (ASCII name, A2L file name,
// URL, the A2L file itself, EPK, ...): taken from the response when the
// slave sends it inline, otherwise uploaded from the MTA the slave set.
func (m *Master) GetID(ctx context.Context, typ xcp.IDType) ([]byte, error) {
	return m.getID(ctx, typ, nil)
}

func (m *Master) getID(ctx context.Context, typ xcp.IDType, progress func(done, total int64)) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.getIDInfo(ctx, typ)
	if err != nil {
		return nil, err
	}
	if r.Length == 0 {
		return nil, fmt.Errorf("master: GET_ID %s: %w", typ, ErrNoID)
	}
	if r.Inline() {
		if progress != nil {
			progress(int64(len(r.Data)), int64(len(r.Data)))
		}
		return append([]byte(nil), r.Data...), nil
	}
	const maxID = 256 << 20
	if r.Length > maxID {
		return nil, fmt.Errorf("master: GET_ID %s: identification of %d bytes exceeds the %d-byte limit", typ, r.Length, maxID)
	}
	return m.uploadBytes(ctx, int(r.Length), progress)
}

// uploadBytes reads n bytes from the current MTA (rounding up to whole
// elements and trimming), in UPLOADs of up to 255 elements, calling
// progress (if not nil) after each.
func (m *Master) uploadBytes(ctx context.Context, n int, progress func(done, total int64)) ([]byte, error) {
	ag := m.format.AG.Size()
	elems := (n + ag - 1) / ag
	dst := make([]byte, elems*ag)
	chunk := m.format.MaxUploadElements()
	if m.conn0.SlaveBlockMode() {
		chunk = 255 / chunk * chunk // whole packets only
	}
	for off := 0; off < elems; {
		k := min(chunk, elems-off)
		if err := m.upload(ctx, dst[off*ag:(off+k)*ag], k); err != nil {
			return nil, fmt.Errorf("%w (after %d of %d bytes)", err, off*ag, n)
		}
		off += k
		if progress != nil {
			progress(int64(min(off*ag, n)), int64(n))
		}
	}
	return dst[:n], nil
}

// FetchA2L returns the A2L file the slave holds (GET_ID type 4, uploaded
// when not sent inline).
func (m *Master) FetchA2L(ctx context.Context) ([]byte, error) {
	return m.getID(ctx, xcp.IDFile, nil)
}

// FetchA2LWith is FetchA2L with options: o.Progress follows the upload
// of the file (bytes done of its length).
func (m *Master) FetchA2LWith(ctx context.Context, o ReadOptions) ([]byte, error) {
	return m.getID(ctx, xcp.IDFile, o.Progress)
}

// GetVersion sends the level-1 GET_VERSION command: the detailed protocol
// and transport layer versions.
func (m *Master) GetVersion(ctx context.Context) (xcp.GetVersionResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetVersionResponse
	if err := m.needSession("GET_VERSION"); err != nil {
		return r, err
	}
	p, err := m.do1(ctx, xcp.GetVersion{}.Append(m.req[:0], m.format))
	if err != nil {
		return r, opErr("GET_VERSION", err)
	}
	if err := r.Decode(p, m.format); err != nil {
		return r, opErr("GET_VERSION", err)
	}
	return r, nil
}

// SetRequest sends SET_REQUEST with mode bits (xcp.RequestStoreCal, ...)
// and a session configuration id.
func (m *Master) SetRequest(ctx context.Context, mode uint8, sessionConfigID uint16) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "SET_REQUEST", xcp.SetRequest{Mode: mode, SessionConfigID: sessionConfigID}.Append(m.req[:0], m.format))
}

// UnlockIfLocked asks GET_STATUS which of the resources in res (0 = all)
// are protected and unlocks only those, with the configured KeyFunc. It
// returns the resources still protected afterwards.
func (m *Master) UnlockIfLocked(ctx context.Context, res xcp.Resource) (xcp.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.getStatus(ctx)
	if err != nil {
		return 0, err
	}
	if res == 0 {
		res = ^xcp.Resource(0)
	}
	prot := st.Protection
	for _, r := range xcp.AllResources() {
		if res&r == 0 || prot&r == 0 {
			continue
		}
		if err := m.unlock(ctx, r, 0); err != nil {
			return prot, err
		}
		prot = m.lastProtection
	}
	return prot, nil
}

// TransportLayerCmd sends TRANSPORT_LAYER_CMD with a sub-command and its
// parameters and returns the bytes of the positive response after the PID.
func (m *Master) TransportLayerCmd(ctx context.Context, sub uint8, params []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := xcp.TransportLayerCmd{Sub: sub, Params: params}
	if err := c.Validate(m.format); err != nil {
		return nil, opErr("TRANSPORT_LAYER_CMD", err)
	}
	return m.raw(ctx, "TRANSPORT_LAYER_CMD", c.Append(m.req[:0], m.format))
}

// UserCmd sends USER_CMD with a sub-command and its parameters and returns
// the bytes of the positive response after the PID.
func (m *Master) UserCmd(ctx context.Context, sub uint8, params []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := xcp.UserCmd{Sub: sub, Params: params}
	if err := c.Validate(m.format); err != nil {
		return nil, opErr("USER_CMD", err)
	}
	return m.raw(ctx, "USER_CMD", c.Append(m.req[:0], m.format))
}

func (m *Master) raw(ctx context.Context, op string, req []byte) ([]byte, error) {
	if err := m.needSession(op); err != nil {
		return nil, err
	}
	p, err := m.do1(ctx, req)
	if err != nil {
		return nil, opErr(op, err)
	}
	var r xcp.RawResponse
	if err := r.Decode(p, m.format); err != nil {
		return nil, opErr(op, err)
	}
	return append([]byte(nil), r.Data...), nil
}

// TimeCorrelationProperties sends TIME_CORRELATION_PROPERTIES (XCP 1.3+).
func (m *Master) TimeCorrelationProperties(ctx context.Context, c xcp.TimeCorrelationProperties) (xcp.TimeCorrelationPropertiesResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.TimeCorrelationPropertiesResponse
	if err := m.needSession("TIME_CORRELATION_PROPERTIES"); err != nil {
		return r, err
	}
	p, err := m.do1(ctx, c.Append(m.req[:0], m.format))
	if err != nil {
		return r, opErr("TIME_CORRELATION_PROPERTIES", err)
	}
	if err := r.Decode(p, m.format); err != nil {
		return r, opErr("TIME_CORRELATION_PROPERTIES", err)
	}
	return r, nil
}

// unlockAllLocked unlocks every resource GET_STATUS reports protected.
// Callers hold m.mu.
func (m *Master) unlockAllLocked(ctx context.Context, depth int) error {
	reqs := [1][]byte{xcp.GetStatus{}.Append(m.aux[:0], m.format)}
	p, err := m.callDepth(ctx, reqs[:], 0, CallOptions{}, depth)
	if err != nil {
		return opErr("GET_STATUS", err)
	}
	var st xcp.GetStatusResponse
	if err := st.Decode(p, m.format); err != nil {
		return opErr("GET_STATUS", err)
	}
	if st.Protection == 0 {
		return errors.New("the slave reports ERR_ACCESS_LOCKED but no resource as protected")
	}
	for _, r := range xcp.AllResources() {
		if st.Protection&r != 0 {
			if err := m.unlock(ctx, r, depth); err != nil {
				return err
			}
		}
	}
	return nil
}
