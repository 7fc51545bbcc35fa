package vector

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Session functions read the EvalContext: the session (user, database),
// its settings, and the types of their arguments (pg_typeof).

func init() {
	for _, name := range []string{"version", "current_database", "current_schema", "current_user", "session_user", "user", "current_role"} {
		key := name
		switch name {
		case "user", "current_role":
			key = "current_user"
		}
		register(name, overload{ret: Text, vol: stable, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
			if ctx.Session == nil {
				return nullColumn(Text, n), nil
			}
			d, ok := ctx.Session(key)
			if !ok {
				return nullColumn(Text, n), nil
			}
			return ConstArray(Text, d, n), nil
		}})
	}
	setting := func(dst []byte, r *row, ctx *EvalContext) ([]byte, bool, error) {
		name := string(r.str(0))
		var v string
		ok := false
		if ctx.Settings != nil {
			v, ok = ctx.Settings(name)
		}
		if !ok {
			if len(r.ops) > 1 && r.flag(1) {
				return dst, true, nil
			}
			return nil, false, Errorf(CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
		}
		return append(dst, v...), false, nil
	}
	register("current_setting",
		overload{params: []Type{Text}, ret: Text, vol: stable, fn: ctxTextFn(setting)},
		overload{params: []Type{Text, Bool}, ret: Text, vol: stable, fn: ctxTextFn(setting)})
	register("pg_typeof", overload{params: []Type{anyType}, keepUnknown: true, build: func(args []Expr) (Expr, error) {
		return NewConst(args[0].Type().Name(), Text), nil
	}})
	register("pg_backend_pid", overload{ret: Int4, vol: stable, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
		pid := int32(0)
		if ctx.Session != nil {
			if d, ok := ctx.Session("pg_backend_pid"); ok {
				pid, _ = d.(int32)
			}
		}
		return makeFixed(Int4, broadcast(pid, n), nil, 0), nil
	}})
}

// ctxTextFn is textFn for a strict body that also reads the context.
func ctxTextFn(body func(dst []byte, r *row, ctx *EvalContext) ([]byte, bool, error)) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		return textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
			return body(dst, r, ctx)
		})(ctx, ops, n)
	}
}
