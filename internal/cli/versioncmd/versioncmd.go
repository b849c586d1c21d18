// Package versioncmd is `xcp version` (and `xcp --version`): the goxcp
// module version and the VCS revision the binary was built from, read by
// package version from the Go build information.
package versioncmd

import (
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/version"
)

// Options are the parsed arguments of `xcp version`.
type Options struct {
	Printer func(json bool) *cmdutil.Printer
	Info    func() version.Info

	JSON bool
}

// NewCmd returns the `xcp version` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{Printer: f.Printer, Info: version.Get}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the goxcp version and the revision xcp was built from",
		Example: `  xcp version
  xcp --version
  xcp version --json`,
		Args: cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error { return run(opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// jsonInfo is the --json output.
type jsonInfo struct {
	Version   string     `json:"version"` // "" for a development build
	Short     string     `json:"short"`
	Module    string     `json:"module"`
	Replaced  string     `json:"replaced,omitempty"`
	Revision  string     `json:"revision,omitempty"`
	Time      *time.Time `json:"time,omitempty"`
	Modified  bool       `json:"modified"`
	GoVersion string     `json:"go"`
	Platform  string     `json:"platform"`
}

func run(opts *Options) error {
	i := opts.Info()
	p := opts.Printer(opts.JSON)
	if !opts.JSON {
		_, err := io.WriteString(p.Writer(), Text(i))
		return err
	}
	j := jsonInfo{Version: i.Version, Short: i.Short(), Module: i.Module, Replaced: i.Replaced, Revision: i.Revision,
		Modified: i.Modified, GoVersion: i.GoVersion, Platform: i.OS + "/" + i.Arch}
	if !i.Time.IsZero() {
		j.Time = &i.Time
	}
	return p.PrintJSON(j)
}

// Text returns the text of `xcp version` and `xcp --version`.
func Text(i version.Info) string { return "xcp " + i.Short() + "\n" + i.Details() }
