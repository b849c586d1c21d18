package master

import "time"

// maxBlockDrain bounds the wait for each late answer in drainBlock.
const maxBlockDrain = 50 * time.Millisecond

// drainBlock absorbs the answers a slave gives to the rest of a master
// block after it rejected an earlier packet of it: on a medium that queues
// (CAN, serial lines) every DOWNLOAD_NEXT/PROGRAM_NEXT sent before the
// error arrived is answered too (ERR_SEQUENCE), and those answers must not
// be taken for the next command's (e.g. the GET_SEED of an unlock
// pre-action). It waits for up to k packets, each within quiet, and
// reports whether all came. Callers hold m.mu.
func (m *Master) drainBlock(k int, quiet time.Duration) bool {
	if k <= 0 {
		return true
	}
	quiet = min(quiet, maxBlockDrain)
	t := time.NewTimer(quiet)
	defer t.Stop()
	defer m.cancelExpect()
	for k > 0 {
		m.respMu.Lock()
		m.expect = k
		m.respMu.Unlock()
		select {
		case <-m.respCh:
			k--
			t.Reset(quiet)
		case <-t.C:
			return false
		case <-m.done:
			return false
		}
	}
	return true
}
