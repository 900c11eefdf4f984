export async function controlPage(root) { root.textContent = 'coming'; }
