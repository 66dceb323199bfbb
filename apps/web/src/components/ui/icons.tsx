// The dashboard's icons: simple strokes, 24×24, currentColor.
import type { SVGProps } from 'react';

function icon(paths: string[]) {
  return function Icon(props: SVGProps<SVGSVGElement>) {
    return (
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" {...props}>
        {paths.map((d) => (
          <path key={d} d={d} />
        ))}
      </svg>
    );
  };
}

export const IconOverview = icon(['M3 13h8V3H3z', 'M13 21h8V11h-8z', 'M3 21h8v-6H3z', 'M13 3v6h8V3z']);
export const IconAlerts = icon(['M12 3 2 20h20L12 3z', 'M12 10v4', 'M12 17.5v.01']);
export const IconBlocks = icon(['M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6l-8-3z', 'M9 12h6']);
export const IconRules = icon(['M4 6h16', 'M4 12h10', 'M4 18h7', 'M17 15l2 2 3-4']);
export const IconFile = icon(['M14 3H6v18h12V7l-4-4z', 'M14 3v4h4', 'M9 13h6', 'M9 17h6']);
export const IconCommand = icon(['M5 7l5 5-5 5', 'M12 18h7']);
export const IconFlask = icon(['M9 3h6', 'M10 3v6L4 19a1.5 1.5 0 0 0 1.3 2h13.4a1.5 1.5 0 0 0 1.3-2L14 9V3', 'M7 15h10']);
export const IconCheckList = icon(['M4 7l2 2 3-3', 'M12 8h8', 'M4 16l2 2 3-3', 'M12 17h8']);
export const IconUsers = icon(['M16 20v-1.5a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4V20', 'M9.5 10.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z', 'M21 20v-1.5a4 4 0 0 0-3-3.9', 'M16 3.6a3.5 3.5 0 0 1 0 6.8']);
export const IconServer = icon(['M4 4h16v6H4z', 'M4 14h16v6H4z', 'M8 7h.01', 'M8 17h.01']);
export const IconAudit = icon(['M12 8v4l3 2', 'M3.05 11a9 9 0 1 1 .5 4', 'M3 4v7h7']);
export const IconSearch = icon(['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M21 21l-5-5']);
export const IconX = icon(['M18 6 6 18', 'M6 6l12 12']);
export const IconPause = icon(['M8 5v14', 'M16 5v14']);
export const IconPlay = icon(['M7 4l13 8-13 8V4z']);
export const IconRefresh = icon(['M20 11a8 8 0 0 0-14.9-4', 'M4 4v4h4', 'M4 13a8 8 0 0 0 14.9 4', 'M20 20v-4h-4']);
export const IconChevronRight = icon(['M9 6l6 6-6 6']);
export const IconChevronDown = icon(['M6 9l6 6 6-6']);
export const IconExternal = icon(['M14 4h6v6', 'M20 4l-9 9', 'M18 14v6H4V6h6']);
export const IconPlus = icon(['M12 5v14', 'M5 12h14']);
export const IconDownload = icon(['M12 4v11', 'M7 10l5 5 5-5', 'M4 20h16']);
export const IconLogout = icon(['M15 4h4v16h-4', 'M10 8l-4 4 4 4', 'M6 12h11']);
export const IconInbox = icon(['M3 13l3-8h12l3 8', 'M3 13v6h18v-6', 'M3 13h5l1 3h6l1-3h5']);
export const IconWarning = icon(['M12 3 2 20h20L12 3z', 'M12 10v4', 'M12 17.5v.01']);
export const IconPlug = icon(['M9 7V3', 'M15 7V3', 'M6 7h12v4a6 6 0 0 1-12 0V7z', 'M12 17v4']);
export const IconLock = icon(['M6 11h12v10H6z', 'M8 11V7a4 4 0 0 1 8 0v4']);
export const IconUnlock = icon(['M6 11h12v10H6z', 'M8 11V7a4 4 0 0 1 7.5-2']);
export const IconHistory = icon(['M12 8v4l3 2', 'M3.05 11a9 9 0 1 1 .5 4', 'M3 4v7h7']);
export const IconFilter = icon(['M4 5h16l-6 7v6l-4 2v-8L4 5z']);
export const IconCheck = icon(['M5 12l5 5 9-10']);
