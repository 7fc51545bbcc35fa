package vector

import (
	"errors"
	"fmt"
)

// Error is an error a user can cause, carrying its Postgres SQLSTATE. Every
// layer of runnel returns *Error for user errors; anything else that reaches
// a client is reported as an internal error (XX000).
type Error struct {
	Code    string // SQLSTATE, e.g. CodeDivisionByZero
	Message string
	Detail  string
	Hint    string
	// Position is the 1-based character offset in the statement text that
	// the error refers to, or 0.
	Position int32
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error with the given SQLSTATE.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// SQLSTATE codes runnel raises (Postgres errcodes.txt).
const (
	CodeSuccessfulCompletion              = "00000"
	CodeWarning                           = "01000"
	CodeWarningPrivilegeNotRevoked        = "01006"
	CodeWarningPrivilegeNotGranted        = "01007"
	CodeInvalidGrantOperation             = "0LP01"
	CodeReservedName                      = "42939"
	CodeObjectInUse                       = "55006"
	CodeTooManyConnections                = "53300"
	CodeFeatureNotSupported               = "0A000"
	CodeInvalidTransactionState           = "25000"
	CodeActiveSQLTransaction              = "25001"
	CodeNoActiveSQLTransaction            = "25P01"
	CodeInFailedSQLTransaction            = "25P02"
	CodeReadOnlySQLTransaction            = "25006"
	CodeCardinalityViolation              = "21000"
	CodeDataException                     = "22000"
	CodeStringDataRightTruncation         = "22001"
	CodeNumericValueOutOfRange            = "22003"
	CodeNullValueNotAllowed               = "22004"
	CodeInvalidDatetimeFormat             = "22007"
	CodeDatetimeFieldOverflow             = "22008"
	CodeInvalidParameterValue             = "22023"
	CodeInvalidRowCountInLimit            = "2201W"
	CodeInvalidRowCountInOffset           = "2201X"
	CodeDivisionByZero                    = "22012"
	CodeInvalidTextRepresentation         = "22P02"
	CodeInvalidBinaryRepresentation       = "22P03"
	CodeBadCopyFileFormat                 = "22P04"
	CodeInvalidEscapeSequence             = "22025"
	CodeSubstringError                    = "22011"
	CodeInvalidArgumentForLog             = "2201E"
	CodeInvalidArgumentForPower           = "2201F"
	CodeInvalidArgumentForWidthBucket     = "2201G"
	CodeUntranslatableCharacter           = "22P05"
	CodeCharacterNotInRepertoire          = "22021"
	CodeInvalidRegularExpression          = "2201B"
	CodeInvalidJSONText                   = "22032"
	CodeArraySubscriptError               = "2202E"
	CodeIntegrityConstraintViolation      = "23000"
	CodeNotNullViolation                  = "23502"
	CodeUniqueViolation                   = "23505"
	CodeCheckViolation                    = "23514"
	CodeSerializationFailure              = "40001"
	CodeSyntaxError                       = "42601"
	CodeInsufficientPrivilege             = "42501"
	CodeUndefinedColumn                   = "42703"
	CodeUndefinedTable                    = "42P01"
	CodeUndefinedFunction                 = "42883"
	CodeUndefinedObject                   = "42704"
	CodeUndefinedParameter                = "42P02"
	CodeUndefinedSchema                   = "3F000"
	CodeUndefinedCursor                   = "34000"
	CodeDuplicateTable                    = "42P07"
	CodeDuplicateSchema                   = "42P06"
	CodeDuplicateColumn                   = "42701"
	CodeDuplicateObject                   = "42710"
	CodeDuplicatePreparedStatement        = "42P05"
	CodeDuplicateCursor                   = "42P03"
	CodeAmbiguousColumn                   = "42702"
	CodeAmbiguousFunction                 = "42725"
	CodeDatatypeMismatch                  = "42804"
	CodeCannotCoerce                      = "42846"
	CodeGroupingError                     = "42803"
	CodeWindowingError                    = "42P20"
	CodeInvalidColumnReference            = "42P10"
	CodeInvalidTableDefinition            = "42P16"
	CodeInvalidColumnDefinition           = "42611"
	CodeIndeterminateDatatype             = "42P18"
	CodeWrongObjectType                   = "42809"
	CodeInvalidName                       = "42602"
	CodeNameTooLong                       = "42622"
	CodeDependentObjectsStillExist        = "2BP01"
	CodeInvalidSchemaName                 = "3F000"
	CodeInvalidCatalogName                = "3D000"
	CodeUndefinedPreparedStatement        = "26000"
	CodeInvalidSQLStatementName           = "26000"
	CodeProtocolViolation                 = "08P01"
	CodeQueryCanceled                     = "57014"
	CodeAdminShutdown                     = "57P01"
	CodeProgramLimitExceeded              = "54000"
	CodeOutOfMemory                       = "53200"
	CodeInternalError                     = "XX000"
	CodeInvalidAuthorizationSpecification = "28000"
	CodeInvalidPassword                   = "28P01"
	CodeConnectionException               = "08000"
	CodeObjectNotInPrerequisiteState      = "55000"
)

// ErrorCode is the SQLSTATE of err when it is (or wraps) an *Error, ""
// otherwise.
func ErrorCode(err error) string {
	var ve *Error
	if errors.As(err, &ve) {
		return ve.Code
	}
	return ""
}
