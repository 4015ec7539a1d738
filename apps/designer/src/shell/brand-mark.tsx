/** The Trellis mark: a small lattice. */
export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#0f766e" />
      <path
        d="M8 10h16M8 16h16M8 22h16M11 7v18M16 7v18M21 7v18"
        stroke="#d7f2ee"
        strokeWidth="2"
        strokeLinecap="round"
      />
      <circle cx="21" cy="10" r="3" fill="#f6c344" />
    </svg>
  );
}
