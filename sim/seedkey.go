package sim

import (
	"math/bits"
	"math/rand/v2"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// DemoKey is the simulator's documented demo seed & key algorithm; it is
// the key function to use against a simulator with protected resources
// (the CLI's --sim mode and the tests use it). It is not a secure
// algorithm. The key has the length of the seed; with r the resource bit:
//
//	k := 0x5A ^ r
//	for i, s := range seed {
//		k = rotl8(k, 3) ^ s ^ byte(i)
//		key[i] = k + 0x3B
//	}
//
// so every key byte depends on the resource and on all seed bytes before
// it, and a key computed for another resource or a truncated seed fails.
func DemoKey(resource xcp.Resource, seed []byte) []byte {
	key := make([]byte, len(seed))
	k := 0x5A ^ byte(resource)
	for i, s := range seed {
		k = bits.RotateLeft8(k, 3) ^ s ^ byte(i)
		key[i] = k + 0x3B
	}
	return key
}

// rngState generates seeds. Callers hold Slave.mu.
type rngState struct{ r *rand.Rand }

func newRNG(seed uint64) *rngState {
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	return &rngState{r: rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))}
}

func (g *rngState) fill(b []byte) {
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
}

// seedState is the GET_SEED/UNLOCK exchange in progress on a session.
type seedState struct {
	res  xcp.Resource // resource the seed was generated for (0 = none)
	seed []byte       // the complete seed
	sent int          // seed bytes transferred so far
	key  []byte       // key bytes received so far
	want int          // total key length announced by the first UNLOCK (0 = none yet)
}

// single reports whether r has exactly one defined resource bit.
func single(r xcp.Resource) bool {
	return r != 0 && r&(r-1) == 0 && r&(xcp.ResCalPag|xcp.ResDaq|xcp.ResStim|xcp.ResPgm|xcp.ResDbg) != 0
}

// checkProtection returns xcp.ErrAccessLocked while res is locked on the
// session, nil otherwise. Callers hold Slave.mu.
func (ss *session) checkProtection(res xcp.Resource) error {
	if ss.locked&res != 0 {
		return xcp.ErrAccessLocked
	}
	return nil
}
