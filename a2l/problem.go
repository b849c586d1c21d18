package a2l

import (
	"errors"
	"fmt"
)

// Problem is one parse or consistency problem, located at file:line:column.
type Problem struct {
	Pos Pos
	Msg string
}

// Error implements error.
func (p *Problem) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.Pos.File, p.Pos.Line, p.Pos.Col, p.Msg)
}

// Is makes errors.Is(err, ErrSyntax) true for every Problem.
func (p *Problem) Is(target error) bool { return target == ErrSyntax }

// ErrSyntax matches every *Problem with errors.Is.
var ErrSyntax = errors.New("a2l: invalid A2L")

// Err returns the problems of a leniently parsed file joined into one
// error, or nil if there were none.
func (f *File) Err() error {
	if len(f.Problems) == 0 {
		return nil
	}
	errs := make([]error, len(f.Problems))
	for i, p := range f.Problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}
