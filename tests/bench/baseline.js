// The hand-written DOM baseline for the scale benchmark: the same radio-group markup, attributes
// and text as Pasarela's profile list, built and updated with plain DOM calls, and the same
// report to the page: each selection calls the page's listeners with `{ profileId }`, as
// Pasarela's `profileselected` does.
window.baselineRender = function (host, profiles, selectedId) {
  const group = document.createElement('div');
  group.className = 'pasarela-profiles';
  group.setAttribute('role', 'radiogroup');
  const rows = new Map();
  for (const p of profiles) {
    const row = document.createElement('div');
    row.setAttribute('role', 'radio');
    row.className = 'pasarela-profile';
    row.dataset.profileId = p.id;
    row.setAttribute('aria-checked', p.id === selectedId ? 'true' : 'false');
    row.setAttribute('aria-disabled', 'false');
    row.tabIndex = p.id === selectedId ? 0 : -1;
    const brand = document.createElement('span');
    brand.className = 'pasarela-profile-brand';
    brand.textContent = `${p.brand} •••• ${p.last4}`;
    const holder = document.createElement('span');
    holder.className = 'pasarela-profile-holder';
    holder.textContent = p.holder;
    const exp = document.createElement('span');
    exp.className = 'pasarela-profile-expiry';
    exp.textContent = `Vence ${p.expiry.slice(4)}/${p.expiry.slice(2, 4)}`;
    row.append(brand, holder, exp);
    row.addEventListener('click', () => select(p.id));
    rows.set(p.id, row);
    group.append(row);
  }
  let current = selectedId;
  const listeners = [];
  function select(id) {
    if (id === current) return;
    const old = rows.get(current);
    old.setAttribute('aria-checked', 'false');
    old.tabIndex = -1;
    const now = rows.get(id);
    now.setAttribute('aria-checked', 'true');
    now.tabIndex = 0;
    current = id;
    for (const fn of listeners) fn({ profileId: id });
  }
  host.append(group);
  return { select, onSelect: (fn) => listeners.push(fn) };
};
