import type { ChangeEvent, ReactNode } from 'react';
import TextField from '@material-ui/core/TextField';

/** The scaffolder field props {@link PickerSelect} reads. */
export interface PickerField {
  schema: { title?: string };
  idSchema?: { $id?: string };
  rawErrors?: string[];
  required?: boolean;
  disabled?: boolean;
}

/** Props of {@link PickerSelect}. */
export interface PickerSelectProps {
  /** The picker's own props: title, id, errors, required and disabled come from here. */
  field: PickerField;
  /** Id when the form gives none. */
  defaultId: string;
  /** Label when the schema has no title. */
  defaultLabel: string;
  /** `data-testid` of the native select. */
  testId: string;
  /** The choices are loading (the select is disabled meanwhile). */
  loading: boolean;
  /** Loading the choices failed (the select is disabled and in error). */
  error?: Error;
  /** The selected option's value, `''` for none. */
  value: string;
  /** The value of the option picked, `''` for the empty one. */
  onChange: (value: string) => void;
  helperText: ReactNode;
  /** Text of the empty option once loaded. */
  placeholder: string;
  /** The options after the empty one. */
  children: ReactNode;
}

/** The native select every capa picker shows: an empty "Loading…" / placeholder option, then `children`. */
export function PickerSelect(props: PickerSelectProps) {
  const { field, loading, error } = props;
  return (
    <TextField
      id={field.idSchema?.$id ?? props.defaultId}
      select
      fullWidth
      margin="normal"
      label={field.schema.title ?? props.defaultLabel}
      required={field.required}
      disabled={field.disabled || loading || !!error}
      value={props.value}
      onChange={(e: ChangeEvent<{ value: unknown }>) =>
        props.onChange(e.target.value as string)
      }
      error={!!error || (field.rawErrors?.length ?? 0) > 0}
      helperText={props.helperText}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      inputProps={{ 'data-testid': props.testId }}
    >
      <option value="">{loading ? 'Loading…' : props.placeholder}</option>
      {props.children}
    </TextField>
  );
}
