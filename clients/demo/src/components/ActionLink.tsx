// A notification's action: a path of this site stays in the tab, another site opens a new one.

export function ActionLink({ url, label, onClick }: { url: string; label: string; onClick?: () => void }) {
  const external = /^https?:\/\//i.test(url) && !url.startsWith(location.origin);
  return (
    <a
      className="action-link"
      href={url}
      onClick={onClick}
      {...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}
    >
      {label}
    </a>
  );
}
