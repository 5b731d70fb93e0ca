import './base.css';
import './publish.css';
import './jobs.css';
import './session.css';
