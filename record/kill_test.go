package record_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

const killChildEnv = "GOXCP_RECORD_KILL_CHILD"

// killChild is the writer process of TestKill9: it records frames whose
// content encodes their sequence number until it is killed.
func killChild() {
	path := os.Getenv(killChildEnv)
	w, err := record.Create(path, recordtest.NarrowMeta(), record.Options{ChunkSize: 4096, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	frame := make([]byte, 12)
	for i := uint64(0); ; i++ {
		frame[0] = 0
		for j := 1; j < 9; j++ {
			frame[j] = byte(i >> (8 * (j - 1)))
		}
		if err := w.Write(int64(i), frame); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if i%64 == 0 {
			time.Sleep(20 * time.Microsecond)
		}
	}
}

func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	path := filepath.Join(t.TempDir(), "killed.xlog")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until several chunks are on disk, then kill -9.
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := os.Stat(path)
		if err == nil && st.Size() > 200<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child wrote too little: %v %s", err, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v %s", err, stderr.String())
	}
	size, _ := os.Stat(path)
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n uint64
	for r.Next() {
		f := r.Frame()
		var seq uint64
		for j := 1; j < 9; j++ {
			seq |= uint64(f.Data[j]) << (8 * (j - 1))
		}
		if seq != n || f.Time != int64(n) || len(f.Data) != 12 {
			t.Fatalf("frame %d: seq %d time %d len %d", n, seq, f.Time, len(f.Data))
		}
		n++
	}
	if r.Err() != nil || len(r.Damage()) != 0 || r.Complete() {
		t.Fatalf("err %v damage %v complete %v", r.Err(), r.Damage(), r.Complete())
	}
	tail := r.Tail()
	if tail == nil || tail.Offset+tail.Bytes != size.Size() {
		t.Fatalf("tail %+v, file size %d", tail, size.Size())
	}
	if n < 10000 {
		t.Fatalf("recovered only %d frames", n)
	}
	t.Logf("recovered %d frames of %d bytes; %s", n, size.Size(), tail)
	_ = strconv.Itoa
}
