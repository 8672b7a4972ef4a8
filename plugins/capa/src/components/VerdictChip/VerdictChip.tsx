import type { ReactElement } from 'react';
import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import CheckCircleOutlineIcon from '@material-ui/icons/CheckCircleOutline';
import WarningIcon from '@material-ui/icons/Warning';
import ErrorIcon from '@material-ui/icons/Error';
import HelpOutlineIcon from '@material-ui/icons/HelpOutline';
import type { Verdict } from '@capa-portal/plugin-capa-common';

/** Label, icon and meaning of each verdict (docs/contracts.md §4): the UI never relies on colour alone. */
export const verdictInfo: Record<
  Verdict,
  { label: string; description: string; Icon: typeof ErrorIcon }
> = {
  trusted: {
    label: 'Trusted',
    description:
      'Every check passed and the chain was assumed live with AWS STS.',
    Icon: VerifiedUserIcon,
  },
  configured: {
    label: 'Configured',
    description:
      'Every check passed on static evidence; the live STS check was not run.',
    Icon: CheckCircleOutlineIcon,
  },
  degraded: {
    label: 'Degraded',
    description: 'No check failed, but at least one warns.',
    Icon: WarningIcon,
  },
  broken: {
    label: 'Broken',
    description: 'At least one check failed: CAPA cannot use this trust.',
    Icon: ErrorIcon,
  },
  unknown: {
    label: 'Unknown',
    description: 'Not enough evidence to decide.',
    Icon: HelpOutlineIcon,
  },
};

const useStyles = makeStyles((theme: Theme) => ({
  chip: { fontWeight: 600, margin: 0 },
  trusted: {
    backgroundColor: theme.palette.success.dark,
    color: theme.palette.success.contrastText,
  },
  configured: {
    backgroundColor: theme.palette.info.dark,
    color: theme.palette.info.contrastText,
  },
  degraded: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  broken: {
    backgroundColor: theme.palette.error.dark,
    color: theme.palette.error.contrastText,
  },
  unknown: {
    backgroundColor: theme.palette.grey[600],
    color: theme.palette.common.white,
  },
  icon: { color: 'inherit' },
}));

/** Props of {@link VerdictChip}. @public */
export interface VerdictChipProps {
  verdict: Verdict | string | undefined;
  size?: 'small' | 'medium';
  /** A count shown after the label ("Broken · 3"). */
  count?: number;
}

/**
 * A trust verdict as a chip with colour, icon and text, so it reads without colour too.
 *
 * @public
 */
export function VerdictChip(props: VerdictChipProps): ReactElement {
  const { size = 'small', count } = props;
  const classes = useStyles();
  const verdict: Verdict =
    props.verdict && props.verdict in verdictInfo
      ? (props.verdict as Verdict)
      : 'unknown';
  const { label, description, Icon } = verdictInfo[verdict];
  const text = count === undefined ? label : `${label} · ${count}`;
  return (
    <Chip
      size={size}
      className={`${classes.chip} ${classes[verdict]}`}
      icon={<Icon className={classes.icon} aria-hidden />}
      label={text}
      title={`${label}: ${description}`}
      aria-label={`Verdict: ${text}`}
      data-verdict={verdict}
    />
  );
}
