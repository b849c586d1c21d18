package master

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrKeyRejected is matched by the error of an UNLOCK the slave answered
// with ERR_ACCESS_LOCKED: it rejected the key (a wrong seed & key
// function or program for this ECU).
var ErrKeyRejected = errors.New("the slave rejected the key (wrong seed & key algorithm for this ECU?)")

// ErrConnectRefused is matched by the error of a CONNECT the slave refused
// with ERR_ACCESS_DENIED: it serves another master (an XCP slave has one
// master at a time; goxcp's simulator refuses a second one this way).
var ErrConnectRefused = errors.New("the slave refused the connection: another master is probably connected to it (one master at a time)")

// Connect sends CONNECT and adopts the slave's byte order, address
// granularity and packet sizes for the session. A slave that serves
// another master refuses it (ErrConnectRefused).
func (m *Master) Connect(ctx context.Context, mode xcp.ConnectMode) (xcp.ConnectResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.ConnectResponse
	req := xcp.Connect{Mode: mode}.Append(m.req[:0], xcp.Format{})
	p, err := m.call(ctx, [][]byte{req}, 0, CallOptions{})
	if errors.Is(err, xcp.ErrAccessDenied) {
		return r, fmt.Errorf("master: CONNECT: %w: %w", ErrConnectRefused, err)
	}
	if err != nil {
		return r, fmt.Errorf("master: CONNECT: %w", err)
	}
	if err := r.Decode(p, xcp.Format{}); err != nil {
		return r, fmt.Errorf("master: CONNECT: %w", err)
	}
	f, err := r.Format()
	if err != nil {
		return r, fmt.Errorf("master: CONNECT: %w", err)
	}
	if int(r.MaxCTO) > cap(m.req) {
		m.req = make([]byte, 0, int(r.MaxCTO))
	}
	if int(r.MaxCTO) > cap(m.aux) {
		m.aux = make([]byte, 0, int(r.MaxCTO))
	}
	m.format = f
	m.conn0 = r
	m.connected = true
	m.mta = mtaState{}
	m.ext.reset()
	clear(m.unusable)
	m.log.Info("xcp connected", "byte_order", f.Order.String(), "ag", f.AG.String(),
		"max_cto", f.MaxCTO, "max_dto", f.MaxDTO, "resources", r.Resource.String())
	return r, nil
}

// Connected reports whether a session is open (CONNECT succeeded and no
// DISCONNECT since).
func (m *Master) Connected() bool {
	select {
	case <-m.done:
		return false // the connection is gone
	default:
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.connected
}

// ConnectInfo returns the CONNECT response of the current session.
func (m *Master) ConnectInfo() xcp.ConnectResponse {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.conn0
}

// Disconnect sends DISCONNECT and ends the session.
func (m *Master) Disconnect(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.call(ctx, [][]byte{{byte(xcp.CmdDisconnect)}}, 0, CallOptions{})
	m.connected = false
	if err != nil {
		return fmt.Errorf("master: DISCONNECT: %w", err)
	}
	return nil
}

// Unlock runs GET_SEED/UNLOCK for one resource with the configured KeyFunc,
// transferring seeds and keys of any length in as many parts as needed. It
// returns the resources still protected afterwards. An unprotected
// resource (seed length 0) is not an error.
func (m *Master) Unlock(ctx context.Context, res xcp.Resource) (xcp.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.unlock(ctx, res, 0); err != nil {
		return 0, err
	}
	return m.lastProtection, nil
}

// ErrNoKeyFunc is returned when a resource must be unlocked but the Config
// has no Unlock function.
var ErrNoKeyFunc = errors.New("master: resource is locked and no seed & key function is configured")

// unlock performs GET_SEED/UNLOCK for res. Callers hold m.mu.
func (m *Master) unlock(ctx context.Context, res xcp.Resource, depth int) error {
	seed, err := m.getSeed(ctx, res, depth)
	if err != nil {
		return err
	}
	if len(seed) == 0 {
		return nil // not protected
	}
	if m.cfg.Unlock == nil {
		return fmt.Errorf("master: unlock %s: %w", res, ErrNoKeyFunc)
	}
	key, err := m.cfg.Unlock(ctx, res, seed)
	if err != nil {
		return fmt.Errorf("master: unlock %s: key function: %w", res, err)
	}
	if len(key) > 255 {
		return fmt.Errorf("master: unlock %s: key of %d bytes exceeds 255", res, len(key))
	}
	chunk := m.format.CTO() - 2
	for sent := 0; ; {
		n := min(chunk, len(key)-sent)
		req := xcp.Unlock{Remaining: uint8(len(key) - sent), Key: key[sent : sent+n]}.Append(m.aux[:0], m.format)
		p, err := m.callDepth(ctx, [][]byte{req}, 0, CallOptions{}, depth+1)
		if errors.Is(err, xcp.ErrAccessLocked) {
			// UNLOCK answered ERR_ACCESS_LOCKED: the key was wrong (and
			// the slave may have ended the session).
			return fmt.Errorf("master: UNLOCK %s: %w: %w", res, ErrKeyRejected, err)
		}
		if err != nil {
			return fmt.Errorf("master: UNLOCK %s: %w", res, err)
		}
		sent += n
		if sent >= len(key) {
			var r xcp.UnlockResponse
			if err := r.Decode(p, m.format); err != nil {
				return fmt.Errorf("master: UNLOCK %s: %w", res, err)
			}
			m.lastProtection = r.Protection
			if r.Protection&res != 0 {
				return fmt.Errorf("master: UNLOCK %s: slave still reports the resource protected: %w", res, xcp.ErrAccessLocked)
			}
			m.log.Info("xcp resource unlocked", "resource", res.String())
			return nil
		}
	}
}

// getSeed reads the complete seed for res. Callers hold m.mu.
func (m *Master) getSeed(ctx context.Context, res xcp.Resource, depth int) ([]byte, error) {
	var seed []byte
	for mode := uint8(0); ; mode = 1 {
		req := xcp.GetSeed{Mode: mode, Resource: res}.Append(m.aux[:0], m.format)
		p, err := m.callDepth(ctx, [][]byte{req}, 0, CallOptions{}, depth+1)
		if err != nil {
			return nil, fmt.Errorf("master: GET_SEED %s: %w", res, err)
		}
		var r xcp.GetSeedResponse
		if err := r.Decode(p, m.format); err != nil {
			return nil, fmt.Errorf("master: GET_SEED %s: %w", res, err)
		}
		if r.Remaining == 0 {
			return seed, nil
		}
		if len(r.Seed) == 0 {
			return nil, fmt.Errorf("master: GET_SEED %s: slave announced %d seed bytes but sent none: %w", res, r.Remaining, xcp.ErrMalformed)
		}
		seed = append(seed, r.Seed...)
		if int(r.Remaining) == len(r.Seed) {
			return seed, nil
		}
		if len(seed) > 255 {
			return nil, fmt.Errorf("master: GET_SEED %s: seed longer than 255 bytes: %w", res, xcp.ErrMalformed)
		}
	}
}
