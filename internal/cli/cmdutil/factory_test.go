package cmdutil

import "testing"

func TestFactoryConcurrentUse(t *testing.T) {
	ios, _, _, _ := Test()
	f := New(ios)
	f.Getenv = func(string) string { return "" }
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			if _, err := f.Config(); err != nil {
				t.Error(err)
			}
			_ = f.Logger()
		}()
	}
	for range 4 {
		<-done
	}
}
