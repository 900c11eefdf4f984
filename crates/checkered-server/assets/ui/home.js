export async function homePage(root) { root.textContent = 'coming'; }
